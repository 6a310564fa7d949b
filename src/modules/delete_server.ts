import { deleteToolServer } from '../workflow/teardown.js';
import { deleteModule } from './options/delete-module.js';

export default deleteModule({ kind: 'server', marker: 'metadata osm=true', waitDefault: true, remove: deleteToolServer });
