import { deleteToolVolume } from '../workflow/teardown.js';
import { deleteModule } from './options/delete-module.js';

export default deleteModule({
  kind: 'volume',
  marker: 'metadata osm=true',
  waitDefault: true,
  note: 'A volume still detaching from a deleted server is waited for.',
  remove: deleteToolVolume,
});
