package main

// An HTTP layer in front of the simulator's own handlers: QueryChangedDiskAreas is answered here,
// CreateSnapshot_Task and ReconfigVM_Task are passed to the simulator and followed by the CBT
// bookkeeping; everything else goes straight through.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type interceptor struct {
	next http.Handler
	cbt  *cbtState
	esxi *esxiHosts
	auth *labAuth
}

var taskResult = regexp.MustCompile(`<returnval type="Task">([^<]+)</returnval>`)

func (h *interceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sdk") {
		h.next.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var method *simulator.Method
	for _, name := range []string{"QueryChangedDiskAreas", "CreateSnapshot_Task", "ReconfigVM_Task", "RemoveSnapshot_Task", "RevertToSnapshot_Task", "AcquireGenericServiceTicket", "Login", "HasPrivilegeOnEntities"} {
		if bytes.Contains(body, []byte("<"+name)) || bytes.Contains(body, []byte(":"+name)) {
			method, _ = simulator.UnmarshalBody(types.TypeFunc(), body)
			break
		}
	}
	if method == nil {
		h.next.ServeHTTP(w, r)
		return
	}
	switch method.Name {
	case "Login":
		if !h.auth.login(w, r, body, method.Body.(*types.Login)) {
			h.next.ServeHTTP(w, r)
		}
	case "HasPrivilegeOnEntities":
		h.hasPrivilegeOnEntities(w, r, method)
	case "QueryChangedDiskAreas":
		h.queryChangedDiskAreas(w, r, method)
	case "AcquireGenericServiceTicket":
		h.acquireGenericServiceTicket(w, r, method)
	case "CreateSnapshot_Task":
		h.thenFollow(w, r, func(task types.ManagedObjectReference) error {
			t, ok := simulator.Map.Get(task).(*simulator.Task)
			if !ok || t.Info.State != types.TaskInfoStateSuccess {
				return nil
			}
			return h.cbt.snapshotCreated(method.This, t.Info.Result.(types.ManagedObjectReference))
		})
	case "ReconfigVM_Task":
		h.thenFollow(w, r, func(types.ManagedObjectReference) error { return h.cbt.syncTracking(method.This) })
	case "RemoveSnapshot_Task", "RevertToSnapshot_Task":
		snap, ok := simulator.Map.Get(method.This).(*simulator.VirtualMachineSnapshot)
		if !ok {
			h.next.ServeHTTP(w, r)
			return
		}
		vm := snap.Vm
		h.thenFollow(w, r, func(task types.ManagedObjectReference) error { return taskOnVM(task, vm) })
	default:
		h.next.ServeHTTP(w, r)
	}
}

// taskOnVM makes a snapshot task's entity the VM, as on vCenter (the simulator names the snapshot,
// which is no ManagedEntity and breaks typed clients).
func taskOnVM(task, vm types.ManagedObjectReference) error {
	t, ok := simulator.Map.Get(task).(*simulator.Task)
	if !ok {
		return nil
	}
	name := ""
	if obj, ok := simulator.Map.Get(vm).(*simulator.VirtualMachine); ok {
		name = obj.Name
	}
	simulator.Map.WithLock(t, func() {
		simulator.Map.Update(t, []types.PropertyChange{
			{Name: "info.entity", Val: vm},
			{Name: "info.entityName", Val: name},
		})
	})
	return nil
}

// thenFollow serves the request with the simulator, then runs follow with the returned task.
func (h *interceptor) thenFollow(w http.ResponseWriter, r *http.Request, follow func(types.ManagedObjectReference) error) {
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, r)
	if rec.Code == http.StatusOK {
		if m := taskResult.FindSubmatch(rec.Body.Bytes()); m != nil {
			if err := follow(types.ManagedObjectReference{Type: "Task", Value: string(m[1])}); err != nil {
				log.Printf("CBT bookkeeping failed: %v", err)
			}
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// authenticated asks the simulator whether the request's session is valid (CurrentTime needs one);
// when it is not, the simulator's own fault is relayed.
func (h *interceptor) authenticated(w http.ResponseWriter, r *http.Request) bool {
	probe := `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime></soapenv:Body></soapenv:Envelope>`
	req := httptest.NewRequest(http.MethodPost, r.URL.String(), strings.NewReader(probe))
	req.Header = r.Header.Clone()
	req.Header.Del("Content-Length")
	rec := httptest.NewRecorder()
	h.next.ServeHTTP(rec, req)
	if rec.Code == http.StatusOK {
		return true
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	return false
}

func (h *interceptor) queryChangedDiskAreas(w http.ResponseWriter, r *http.Request, method *simulator.Method) {
	if !h.authenticated(w, r) {
		return
	}
	req := method.Body.(*types.QueryChangedDiskAreas)
	info, fault := h.cbt.queryChangedDiskAreas(req)
	if fault != nil {
		writeFault(w, fault)
		return
	}
	var out bytes.Buffer
	out.WriteString(`<QueryChangedDiskAreasResponse xmlns="urn:vim25"><returnval>`)
	fmt.Fprintf(&out, "<startOffset>%d</startOffset><length>%d</length>", info.StartOffset, info.Length)
	for _, a := range info.ChangedArea {
		fmt.Fprintf(&out, "<changedArea><start>%d</start><length>%d</length></changedArea>", a.Start, a.Length)
	}
	out.WriteString(`</returnval></QueryChangedDiskAreasResponse>`)
	writeEnvelope(w, http.StatusOK, out.String())
}

// acquireGenericServiceTicket issues a ticket bound to the spec's URL and method (esxi.go redeems it).
func (h *interceptor) acquireGenericServiceTicket(w http.ResponseWriter, r *http.Request, method *simulator.Method) {
	if !h.authenticated(w, r) {
		return
	}
	spec, ok := method.Body.(*types.AcquireGenericServiceTicket).Spec.(*types.SessionManagerHttpServiceRequestSpec)
	if !ok || spec.Url == "" {
		writeFault(w, invalidArgument("spec", "spec must be a SessionManagerHttpServiceRequestSpec with a url"))
		return
	}
	t := h.esxi.issue(spec)
	var out bytes.Buffer
	out.WriteString(`<AcquireGenericServiceTicketResponse xmlns="urn:vim25"><returnval>`)
	fmt.Fprintf(&out, "<id>%s</id>", escape(t.Id))
	if t.HostName != "" {
		fmt.Fprintf(&out, "<hostName>%s</hostName><sslThumbprint>%s</sslThumbprint>", escape(t.HostName), escape(t.SslThumbprint))
	}
	out.WriteString(`</returnval></AcquireGenericServiceTicketResponse>`)
	writeEnvelope(w, http.StatusOK, out.String())
}

func writeEnvelope(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `%s<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>`, xml.Header, body)
}

func escape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeFault encodes a fault the way the simulator (and vCenter) does: HTTP 500, faultstring,
// and the typed fault in detail.
func writeFault(w http.ResponseWriter, f *methodFault) {
	kind := reflect.TypeOf(f.fault).Elem().Name()
	var detail string
	switch x := f.fault.(type) {
	case *types.InvalidArgument:
		detail = "<invalidProperty>" + escape(x.InvalidProperty) + "</invalidProperty>"
	case *types.FileFault:
		detail = "<file>" + escape(x.File) + "</file>"
	case *types.ManagedObjectNotFound:
		detail = fmt.Sprintf(`<obj type="%s">%s</obj>`, escape(x.Obj.Type), escape(x.Obj.Value))
	}
	writeEnvelope(w, http.StatusInternalServerError, fmt.Sprintf(
		`<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail><%sFault xmlns="urn:vim25" xsi:type="%s">%s</%sFault></detail></soapenv:Fault>`,
		escape(f.message), kind, kind, detail, kind))
}
