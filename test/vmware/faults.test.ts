import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidLoginError,
  InvalidPowerStateError,
  NotAuthenticatedError,
  ObjectNotFoundError,
  TaskFailedError,
  errorFromFault,
  errorFromTaskFault,
  faultType,
} from '../../src/vmware/faults.js';
import { at, parseXml } from '../../src/vmware/xml.js';
import { fixture } from './replay-server.js';

const faultOf = (file: string) => at(parseXml(fixture(file)), 'Body.Fault')!;

describe('vSphere faults', () => {
  it('InvalidLogin (recorded from the simulator) says to check the credentials', () => {
    const e = errorFromFault(faultOf('fault-invalid-login.xml'), 'Login', 'vc:443');
    assert.ok(e instanceof InvalidLoginError);
    assert.equal(e.fault, 'InvalidLogin');
    assert.match(e.message, /vc:443 rejected the user name or password.*vcenter_username and vcenter_password/);
  });

  it('NotAuthenticated, ManagedObjectNotFound and InvalidPowerState (any xsi prefix) map to their classes', () => {
    assert.ok(errorFromFault(faultOf('fault-not-authenticated.xml'), 'RetrievePropertiesEx', 's') instanceof NotAuthenticatedError);
    const nf = errorFromFault(faultOf('fault-object-not-found.xml'), 'RetrievePropertiesEx', 's');
    assert.ok(nf instanceof ObjectNotFoundError);
    assert.match(nf.message, /no longer exists.*run discovery again/);
    assert.equal(faultType(faultOf('fault-invalid-power-state.xml')), 'InvalidPowerState');
    const ps = errorFromFault(faultOf('fault-invalid-power-state.xml'), 'PowerOnVM_Task', 's');
    assert.ok(ps instanceof InvalidPowerStateError);
    assert.match(ps.message, /Powered off/);
  });

  it('a failed task carries its fault type and localized message', () => {
    const info = at(parseXml(fixture('task-error.xml')), 'Body.RetrievePropertiesExResponse.returnval.objects.propSet.val');
    const e = errorFromTaskFault(at(info, 'error'), 'CreateSnapshot_Task(vm-42, osm-snap)', 's');
    assert.ok(e instanceof TaskFailedError);
    assert.equal(e.fault, 'FileLocked');
    assert.match(e.message, /CreateSnapshot_Task\(vm-42, osm-snap\).*locked/);
  });
});
