#!/usr/bin/python3
"""Benchmark peer: the same whole-inventory discovery with pyvmomi (Debian's python3-pyvmomi).

Reads a JSON request on stdin (host, port, user, password, cafile, types, specs) so the password never
appears on a command line; asks the property collector for exactly the given property specs through a
container view of the root folder (paging with maxObjects / ContinueRetrievePropertiesEx), builds one dict of
properties per object, counts the VMs' disks and NICs, and prints one JSON line: ms, objects, vms, disks,
nics, maxrss_kb.
"""
import json
import resource
import ssl
import sys
import time

from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import VmomiSupport, vim, vmodl


def main():
    req = json.load(sys.stdin)
    start = time.monotonic()
    context = ssl.create_default_context(cafile=req["cafile"])
    si = SmartConnect(host=req["host"], port=req["port"], user=req["user"], pwd=req["password"], sslContext=context)
    try:
        content = si.RetrieveContent()
        types = [VmomiSupport.GetWsdlType("urn:vim25", t) for t in req["types"]]
        view = content.viewManager.CreateContainerView(content.rootFolder, types, True)
        pc = vmodl.query.PropertyCollector
        traversal = pc.TraversalSpec(name="traverseView", type=vim.view.ContainerView, path="view", skip=False)
        object_spec = pc.ObjectSpec(obj=view, skip=True, selectSet=[traversal])
        prop_specs = [pc.PropertySpec(type=VmomiSupport.GetWsdlType("urn:vim25", s["type"]), pathSet=s["paths"]) for s in req["specs"]]
        spec = pc.FilterSpec(objectSet=[object_spec], propSet=prop_specs)
        result = content.propertyCollector.RetrievePropertiesEx([spec], pc.RetrieveOptions(maxObjects=1000))
        objects = {}
        while result is not None:
            for o in result.objects:
                objects[o.obj._moId] = (o.obj, {p.name: p.val for p in o.propSet})
            if not result.token:
                break
            result = content.propertyCollector.ContinueRetrievePropertiesEx(result.token)
        view.Destroy()
        vms = disks = nics = 0
        for obj, props in objects.values():
            if not isinstance(obj, vim.VirtualMachine):
                continue
            vms += 1
            hardware = props.get("config.hardware")
            for device in hardware.device if hardware else []:
                if isinstance(device, vim.vm.device.VirtualDisk):
                    disks += 1
                elif isinstance(device, vim.vm.device.VirtualEthernetCard):
                    nics += 1
    finally:
        Disconnect(si)
    elapsed = (time.monotonic() - start) * 1000
    print(json.dumps({"ms": round(elapsed), "objects": len(objects), "vms": vms, "disks": disks, "nics": nics,
                      "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


if __name__ == "__main__":
    main()
