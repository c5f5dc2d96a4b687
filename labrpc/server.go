package labrpc

import (
	"fmt"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"raftlabs/labgob"
)

// A Server is a set of services, added to a Network under a name.
type Server struct {
	mu       sync.Mutex
	services map[string]*Service
}

// NewServer returns a server with no services.
func NewServer() *Server {
	return &Server{services: map[string]*Service{}}
}

// AddService makes the methods of svc callable on s. It replaces any
// service of the same name.
func (s *Server) AddService(svc *Service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.services[svc.name] = svc
}

// method returns the method named by svcMeth ("Type.Method"), or nil.
func (s *Server) method(svcMeth string) *method {
	svcName, methName, ok := strings.Cut(svcMeth, ".")
	if !ok {
		return nil
	}
	s.mu.Lock()
	svc := s.services[svcName]
	s.mu.Unlock()
	if svc == nil {
		return nil
	}
	return svc.methods[methName]
}

// methodNames returns the names of all of s's methods, as "Type.Method",
// sorted.
func (s *Server) methodNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, svc := range s.services {
		for name := range svc.methods {
			names = append(names, svc.name+"."+name)
		}
	}
	slices.Sort(names)
	return names
}

// A Service is the set of RPC handlers of one receiver.
type Service struct {
	name    string
	methods map[string]*method
}

// NewService returns a service whose name is the type name of rcvr ("Raft"
// for a *Raft) and whose handlers are the exported methods of rcvr of the
// form
//
//	func (rf *Raft) RequestVote(args *RequestVoteArgs, reply *RequestVoteReply)
//
// The reply must be a pointer; the args may be a pointer or a value. Methods
// of any other form are ignored.
func NewService(rcvr any) *Service {
	v := reflect.ValueOf(rcvr)
	if !v.IsValid() {
		panic("labrpc: NewService(nil)")
	}
	t := v.Type()
	name := t.Name()
	if t.Kind() == reflect.Pointer {
		name = t.Elem().Name()
	}
	svc := &Service{name: name, methods: map[string]*method{}}
	for i := range t.NumMethod() {
		m := t.Method(i)
		ft := m.Type // the receiver is the first parameter
		if !m.IsExported() || ft.NumIn() != 3 || ft.NumOut() != 0 || ft.In(2).Kind() != reflect.Pointer {
			continue
		}
		svc.methods[m.Name] = &method{fn: v.Method(i), argType: ft.In(1), replyType: ft.In(2),
			args: argsDecoders(ft.In(1))}
	}
	return svc
}

// argsDecoders returns the decoders of arguments of type t, which every
// handler of that argument type shares: a test makes a service for each
// server each time it starts one, and each kept decoder is compiled from
// the first message of its type, which costs far more than decoding one.
func argsDecoders(t reflect.Type) *labgob.Messages {
	if m, ok := sharedArgs.Load(t); ok {
		return m.(*labgob.Messages)
	}
	m, _ := sharedArgs.LoadOrStore(t, &labgob.Messages{Checked: true})
	return m.(*labgob.Messages)
}

// sharedArgs holds argsDecoders's decoders, by argument type.
var sharedArgs sync.Map

// NewNamedService is NewService with the service called name rather than
// after rcvr's type: a stand-in that answers calls meant for another type,
// such as a test's scripted server answering "Raft.RequestVote".
func NewNamedService(name string, rcvr any) *Service {
	svc := NewService(rcvr)
	svc.name = name
	return svc
}

// A method is one RPC handler, bound to its receiver.
type method struct {
	fn        reflect.Value
	argType   reflect.Type // as declared: *A or A
	replyType reflect.Type // *R
	args      *labgob.Messages
}

// decodeArgs decodes req, just encoded from src, into a new value of the
// handler's argument type.
func (m *method) decodeArgs(req []byte, src any) (reflect.Value, error) {
	elem := m.argType
	if elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	p := reflect.New(elem)
	if err := m.args.Copy(req, src, p.Interface()); err != nil {
		return reflect.Value{}, err
	}
	if m.argType.Kind() == reflect.Pointer {
		return p, nil
	}
	return p.Elem(), nil
}

// serve runs the handler on args and sends the outcome on done, the reply
// encoded by encoders. It recovers a panic in the handler and reports it,
// naming the handler as name.
func (m *method) serve(args reflect.Value, done chan<- result, name string, encoders *labgob.Encoders, report func(summary, details string)) {
	var res result
	defer func() {
		// Send even if the handler panicked or called runtime.Goexit.
		if v := recover(); v != nil {
			report(fmt.Sprintf("labrpc: %s panicked: %v", name, v), "\n"+string(debug.Stack()))
			res = result{}
		}
		done <- res
	}()
	reply := reflect.New(m.replyType.Elem())
	m.fn.Call([]reflect.Value{args, reply})
	data, err := encoders.Encode(reply.Interface())
	if err != nil {
		report(fmt.Sprintf("labrpc: %s: cannot encode reply of type %v: %v", name, m.replyType, err), "")
		return
	}
	res = result{reply: data, ok: true}
}

// A result is what a handler produced.
type result struct {
	reply []byte // the encoded reply
	ok    bool   // false if the handler panicked or its reply could not be encoded
}
