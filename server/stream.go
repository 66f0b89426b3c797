package server

// The step stream: a websocket per browser tab. The hub pattern, with the
// rules that keep a slow browser from slowing the control plane:
//
//   - the recorder never waits for a subscriber; a subscriber whose buffer
//     fills is dropped, and the client is told {"type":"gap","since":N} so it
//     reconnects with ?since=N and gets the rest from the history;
//   - the handler is one select loop over the request's context, the
//     subscription, pacer changes and a ping ticker;
//   - the Origin is checked (no cross-site websocket hijacking), reads are
//     limited, pings keep idle connections honest, and the connection closes
//     cleanly when the sandbox or the server goes away.

import (
	"strconv"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/glassplane/glassplane/controlplane/steps"
)

const (
	streamBuffer  = 4096             // steps a client may fall behind before it is dropped
	streamBatch   = 256              // steps per message at most
	writeTimeout  = 10 * time.Second // a client that cannot take a message in this time is gone
	pingInterval  = 20 * time.Second
	readLimit     = 4096
	historyChunks = 2000
)

// Message is one websocket message to the browser.
type Message struct {
	Type       string            `json:"type"` // steps | gap | pacer | components
	Steps      []steps.Step      `json:"steps,omitempty"`
	Since      uint64            `json:"since,omitempty"`
	Pacer      *steps.PacerState `json:"pacer,omitempty"`
	Components any               `json:"components,omitempty"`
}

var upgrader = websocket.Upgrader{
	ReadBufferSize:  1024,
	WriteBufferSize: 32 * 1024,
	CheckOrigin:     sameOrigin,
}

func (w *Web) stream(c echo.Context) error {
	sb := sandboxOf(c)
	since, _ := strconv.ParseUint(c.QueryParam("since"), 10, 64)
	conn, err := upgrader.Upgrade(c.Response(), c.Request(), nil)
	if err != nil {
		return nil // the upgrader has answered
	}
	defer conn.Close()
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

	history, sub := sb.Cluster.Steps.Subscribe(since, streamBuffer)
	defer sub.Close()
	send := func(m Message) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
		return conn.WriteJSON(m) == nil
	}
	pacer := sb.Cluster.Pacer
	st := pacer.State()
	if !send(Message{Type: "pacer", Pacer: &st}) || !send(Message{Type: "components", Components: sb.Cluster.Components()}) {
		return nil
	}
	last := since
	if len(history) > 0 {
		last = history[len(history)-1].Seq
	}
	for len(history) > 0 {
		n := min(len(history), historyChunks)
		if !send(Message{Type: "steps", Steps: history[:n]}) {
			return nil
		}
		history = history[n:]
	}
	ping := time.NewTicker(pingInterval)
	defer ping.Stop()
	changes := pacer.Changes()
	for {
		select {
		case <-c.Request().Context().Done():
			return nil
		case <-closed:
			return nil
		case <-w.done:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
			return nil
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
			batch := []steps.Step{s}
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
			if !send(Message{Type: "steps", Steps: batch}) {
				return nil
			}
		case <-ping.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)) != nil {
				return nil
			}
		}
	}
}
