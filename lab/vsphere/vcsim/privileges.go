package main

// Lab users and their privileges. The simulator accepts one login and grants every privilege;
// here a second user logs in with its own password (the session runs as the lab user inside the
// simulator) and HasPrivilegeOnEntities answers from the privileges each user lacks, so that the
// migration's privilege checks can fail for real.

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const sessionCookie = "vmware_soap_session"

// limitedUser lacks a privilege a migration needs on every VM and datastore.
var limitedUser = labUser{
	Name:     "osm-limited",
	Password: "osm-limited-pass",
	Denied:   []string{"VirtualMachine.Provisioning.DiskRandomRead", "Datastore.Browse"},
}

type labUser struct {
	Name     string   `json:"user"`
	Password string   `json:"password"`
	Denied   []string `json:"denied_privileges"`
}

type labAuth struct {
	user, password string       // the simulator's own login
	handler        http.Handler // the simulator's
	mu             sync.Mutex
	bySession      map[string]labUser // session cookie -> lab user other than the simulator's
}

func newLabAuth(user, password string, handler http.Handler) *labAuth {
	return &labAuth{user: user, password: password, handler: handler, bySession: map[string]labUser{}}
}

// login lets limitedUser in under the simulator's login and remembers its session.
func (a *labAuth) login(w http.ResponseWriter, r *http.Request, body []byte, req *types.Login) bool {
	if req.UserName != limitedUser.Name {
		return false
	}
	if req.Password != limitedUser.Password {
		writeEnvelope(w, http.StatusInternalServerError, `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Cannot complete login due to an incorrect user name or password.</faultstring><detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault>`)
		return true
	}
	swapped := bytes.Replace(body, []byte(">"+escape(req.UserName)+"<"), []byte(">"+escape(a.user)+"<"), 1)
	swapped = bytes.Replace(swapped, []byte(">"+escape(req.Password)+"<"), []byte(">"+escape(a.password)+"<"), 1)
	inner := httptest.NewRequest(http.MethodPost, r.URL.String(), bytes.NewReader(swapped))
	inner.Header = r.Header.Clone()
	inner.Header.Del("Content-Length")
	rec := httptest.NewRecorder()
	a.next(rec, inner)
	if rec.Code == http.StatusOK {
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie {
				a.mu.Lock()
				a.bySession[c.Value] = limitedUser
				a.mu.Unlock()
			}
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
	return true
}

func (a *labAuth) next(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// denied lists the privileges the request's session lacks (none for the simulator's own user).
func (a *labAuth) denied(r *http.Request) map[string]bool {
	out := map[string]bool{}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return out
	}
	a.mu.Lock()
	u, ok := a.bySession[c.Value]
	a.mu.Unlock()
	if ok {
		for _, p := range u.Denied {
			out[p] = true
		}
	}
	return out
}

func (h *interceptor) hasPrivilegeOnEntities(w http.ResponseWriter, r *http.Request, method *simulator.Method) {
	if !h.authenticated(w, r) {
		return
	}
	req := method.Body.(*types.HasPrivilegeOnEntities)
	denied := h.auth.denied(r)
	var out strings.Builder
	out.WriteString(`<HasPrivilegeOnEntitiesResponse xmlns="urn:vim25">`)
	for _, e := range req.Entity {
		if simulator.Map.Get(e) == nil {
			writeFault(w, &methodFault{"managed object not found: " + e.String(), &types.ManagedObjectNotFound{Obj: e}})
			return
		}
		fmt.Fprintf(&out, `<returnval><entity type="%s">%s</entity>`, escape(e.Type), escape(e.Value))
		for _, p := range req.PrivId {
			fmt.Fprintf(&out, `<privAvailability><privId>%s</privId><isGranted>%t</isGranted></privAvailability>`, escape(p), !denied[p])
		}
		out.WriteString(`</returnval>`)
	}
	out.WriteString(`</HasPrivilegeOnEntitiesResponse>`)
	writeEnvelope(w, http.StatusOK, out.String())
}
