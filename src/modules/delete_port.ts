import { deleteToolPort } from '../workflow/teardown.js';
import { deleteModule } from './options/delete-module.js';

export default deleteModule({ kind: 'port', marker: 'a description starting with osm=true', waitDefault: true, remove: deleteToolPort });
