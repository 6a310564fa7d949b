import { deleteToolFlavor } from '../workflow/teardown.js';
import { deleteModule } from './options/delete-module.js';

export default deleteModule({ kind: 'flavor', marker: 'a description starting with osm=true', waitDefault: false, remove: deleteToolFlavor });
