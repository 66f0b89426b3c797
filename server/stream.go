package server

// The step stream: a websocket per browser tab. The hub pattern, with the
// rules that keep a slow browser from slowing the control plane:
//
//   - the recorder never waits for a subscriber; a subscriber whose buffer
//     fills is dropped, and the client is told {"type":"gap","since":N} so it
//     reconnects with ?since=N and gets the rest from the history;
//   - the handler is one select loop over the request's context, the
//     subscription, pacer changes, etcd member changes and a ping ticker;
//   - the Origin is checked (no cross-site websocket hijacking), reads are
//     limited, pings keep idle connections honest, and the connection closes
//     cleanly when the sandbox or the server goes away;
//   - history is replayed in pages of historyPage steps, each read from the
//     recorder only once the one before was written, so a socket holds at
//     most one page however long the history (20,000 steps, about 12 MB of
//     JSON, by default) and however slowly its client reads; the message
//     {"type":"live","since":N} then says the history is done and live
//     steps follow. The subscription starts only then, and everything a
//     socket holds is its own, freed when it ends;
//   - streams are capped per sandbox and per client (streamlimits.go).

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/controlplane/metrics"
	"github.com/glassplane/glassplane/controlplane/steps"
)

const (
	streamBuffer = 4096             // steps a client may fall behind before it is dropped
	streamBatch  = 256              // steps per message at most
	writeTimeout = 10 * time.Second // a client that cannot take a message in this time is gone
	pingInterval = 20 * time.Second
	readLimit    = 4096
	historyPage  = 256                    // steps per history message: the most a socket holds of the history
	memberEvery  = 500 * time.Millisecond // how often etcd's members are looked at
)

// Message is one websocket message to the browser.
type Message struct {
	Type       string            `json:"type"` // steps | live | gap | pacer | components
	Steps      []steps.Step      `json:"steps,omitempty"`
	Since      uint64            `json:"since,omitempty"`
	Pacer      *steps.PacerState `json:"pacer,omitempty"`
	Components any               `json:"components,omitempty"`
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 32 * 1024,
	// Sockets share write buffers between messages: an idle one holds none.
	WriteBufferPool: &sync.Pool{},
	CheckOrigin:     sameOrigin,
}

func (w *Web) stream(c echo.Context) error {
	sb := sandboxOf(c)
	since, _ := strconv.ParseUint(c.QueryParam("since"), 10, 64)
	release, refused := w.streams.take(sb.ID, c.Request())
	if refused != "" {
		c.Response().Header().Set("Retry-After", strconv.Itoa(streamRetryAfterSeconds))
		return fail(c, http.StatusTooManyRequests, refused)
	}
	defer release()
	conn, err := upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	defer conn.Close()
	metrics.WebSocketClients.Inc()
	defer metrics.WebSocketClients.Dec()
	conn.SetReadLimit(readLimit)
	_ = conn.SetReadDeadline(time.Now().Add(2 * pingInterval))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(2 * pingInterval))
	})
	// The browser sends nothing we need; reading notices its close.
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()

	send := func(m Message) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		return conn.WriteJSON(m) == nil
	}
	pacer := sb.Cluster.Pacer
	changes := pacer.Changes() // before State: a change while history is sent is sent after it
	st := pacer.State()
	if !send(Message{Type: "pacer", Pacer: &st}) || !send(Message{Type: "components", Components: sb.Cluster.Components()}) {
		return nil
	}
	last, ok := replay(sb.Cluster.Steps, since, send)
	if !ok {
		return nil
	}
	// What was recorded since the last page read comes with the subscription.
	rest, sub := sb.Cluster.Steps.Subscribe(last, streamBuffer)
	defer sub.Close()
	for len(rest) > 0 {
		n := min(len(rest), historyPage)
		if !send(Message{Type: "steps", Steps: rest[:n]}) {
			return nil
		}
		last, rest = rest[n-1].Seq, rest[n:]
	}
	if !send(Message{Type: "live", Since: last}) {
		return nil
	}
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	// etcd's members change with every write they apply: look at most
	// every memberEvery, so a busy cluster does not redraw the page
	// for each one. With one member there is nothing to look at.
	members := sb.Cluster.Etcd.MemberChanges()
	var memberTick <-chan time.Time
	if members != nil {
		t := time.NewTicker(memberEvery)
		defer t.Stop()
		memberTick = t.C
	}
	for {
		select {
		case <-c.Request().Context().Done():
			return nil
		case <-closed:
			return nil
		case <-w.done:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
			return nil
		case <-memberTick:
			select {
			case <-members:
			default:
				continue // no change since the last look
			}
			members = sb.Cluster.Etcd.MemberChanges()
			if !send(Message{Type: "components", Components: sb.Cluster.Components()}) {
				return nil
			}
		case <-changes:
			changes = pacer.Changes()
			st := pacer.State()
			if !send(Message{Type: "pacer", Pacer: &st}) || !send(Message{Type: "components", Components: sb.Cluster.Components()}) {
				return nil
			}
		case s, ok := <-sub.C():
			if !ok {
				if sub.Dropped() {
					send(Message{Type: "gap", Since: last})
				}
				_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "stream ended"), time.Now().Add(time.Second))
				return nil
			}
			batch := []*steps.Live{s}
		drain:
			for len(batch) < streamBatch {
				select {
				case more, ok := <-sub.C():
					if !ok {
						break drain
					}
					batch = append(batch, more)
				default:
					break drain
				}
			}
			last = batch[len(batch)-1].Seq
			if !sendLive(conn, batch) {
				return nil
			}
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)) != nil {
				return nil
			}
		}
	}
}

// sendLive sends live steps as one Message of type "steps", made of each
// step's JSON as the first stream to send it encoded it (steps.Live): the
// streams of one sandbox encode a step once between them.
func sendLive(conn *websocket.Conn, batch []*steps.Live) bool {
	_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	w, err := conn.NextWriter(websocket.TextMessage)
	if err != nil {
		return false
	}
	_, _ = io.WriteString(w, `{"type":"steps","steps":[`)
	for i, l := range batch {
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		_, _ = w.Write(l.JSON())
	}
	_, _ = io.WriteString(w, "]}\n")
	return w.Close() == nil
}

// replay sends the history after since, a page at a time, until a page comes
// back short; it returns the last seq sent (since if none).
func replay(rec *steps.Recorder, since uint64, send func(Message) bool) (uint64, bool) {
	for {
		page := rec.Since(since, historyPage)
		if len(page) > 0 {
			if !send(Message{Type: "steps", Steps: page}) {
				return since, false
			}
			since = page[len(page)-1].Seq
		}
		if len(page) < historyPage {
			return since, true
		}
	}
}
