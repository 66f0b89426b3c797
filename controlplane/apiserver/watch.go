package apiserver

// A watch is a long HTTP response: one JSON object per change,
// {"type": "ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR", "object": …},
// flushed as it happens. Informers in every controller, the scheduler and the
// kubelets list once and then watch from the list's resourceVersion; that is
// how they learn of changes without asking again and again.
//
// Starting points, as in Kubernetes:
//   - resourceVersion "" or "0": first an ADDED event for every existing
//     object, then changes;
//   - resourceVersion N: changes after N (410 Gone if etcd compacted N away);
//   - sendInitialEvents=true: the existing objects, then a bookmark annotated
//     "k8s.io/initial-events-end", then changes (client-go's streaming list).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	protobufserializer "k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	"k8s.io/apimachinery/pkg/runtime/serializer/streaming"
	"k8s.io/apimachinery/pkg/watch"
)

// DefaultWatchTimeout ends watches that did not ask for a timeout, so
// clients re-list now and then (kube-apiserver uses 30–60 minutes).
const DefaultWatchTimeout = 30 * time.Minute

func (s *Server) watch(q *apiRequest) error {
	sel, err := selection(q)
	if err != nil {
		return err
	}
	query := q.r.URL.Query()
	bookmarks := query.Get("allowWatchBookmarks") == "true"
	initial := query.Get("sendInitialEvents") == "true"
	rv := query.Get("resourceVersion")
	timeout, err := parseInt64(q.r, "timeoutSeconds")
	if err != nil {
		return err
	}
	var start int64
	var events []watch.Event
	if rv == "" || rv == "0" || initial {
		list, err := s.Store.List(q.ctx, q.res, sel, 0)
		if err != nil {
			return err
		}
		start, _ = strconv.ParseInt(listRV(list), 10, 64)
		items, _ := meta.ExtractList(list)
		for _, item := range items {
			events = append(events, watch.Event{Type: watch.Added, Object: item})
		}
		if initial {
			events = append(events, s.Store.Bookmark(q.res, start,
				map[string]string{metav1.InitialEventsAnnotationKey: "true"}))
		}
	} else if start, err = strconv.ParseInt(rv, 10, 64); err != nil {
		return apierrors.NewBadRequest(fmt.Sprintf("invalid resourceVersion %q", rv))
	}

	d := DefaultWatchTimeout
	if timeout > 0 {
		d = time.Duration(timeout) * time.Second
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	ch := s.Store.Watch(q.ctx, q.res, sel, start, bookmarks)

	flusher, _ := q.w.(http.Flusher)
	write := s.eventWriter(q)
	q.w.Header().Set("Transfer-Encoding", "chunked")
	q.w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	emit := func(ev watch.Event) error {
		obj := ev.Object
		if ev.Type != watch.Error {
			if obj, err = s.present(q, ev.Object); err != nil {
				return err
			}
		}
		if err := write(ev.Type, obj); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	}
	for _, ev := range events {
		if emit(ev) != nil {
			return nil
		}
	}
	for {
		select {
		case <-q.ctx.Done():
			return nil
		case <-timer.C:
			return nil
		case ev, ok := <-ch:
			if !ok || emit(ev) != nil {
				return nil
			}
		}
	}
}

// eventWriter sets the watch's Content-Type and returns what writes one
// event in it. A client whose first choice is protobuf gets each event as
// kube-apiserver sends it: a length-prefixed metav1.WatchEvent in protobuf
// whose object is the protobuf envelope of the object. Custom objects, which
// have no protobuf form, and every other client get one JSON object per line.
func (s *Server) eventWriter(q *apiRequest) func(watch.EventType, runtime.Object) error {
	if wantsProtobuf(q.r) && q.cr == nil && hasProtobuf(q.gv.WithKind(q.res.Kind)) {
		q.w.Header().Set("Content-Type", runtime.ContentTypeProtobuf+";stream=watch")
		enc := streaming.NewEncoder(protobufserializer.LengthDelimitedFramer.NewFrameWriter(q.w), protobufRaw)
		var buf bytes.Buffer
		return func(typ watch.EventType, obj runtime.Object) error {
			buf.Reset()
			if err := protobuf.Encode(obj, &buf); err != nil {
				return err
			}
			return enc.Encode(&metav1.WatchEvent{Type: string(typ), Object: runtime.RawExtension{Raw: buf.Bytes()}})
		}
	}
	q.w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(q.w)
	return func(typ watch.EventType, obj runtime.Object) error {
		return enc.Encode(metav1.WatchEvent{Type: string(typ), Object: runtime.RawExtension{Object: obj}})
	}
}

func listRV(list runtime.Object) string {
	m, _ := meta.ListAccessor(list)
	return m.GetResourceVersion()
}
