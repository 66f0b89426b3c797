package lessons

// The engine follows each sandbox through its lessons. Progress is kept per
// sandbox and lesson: the current step, which steps passed, the last verdict
// of each step's check.
//
// The engine never waits for the learner to say "done": whoever asks for
// progress (the browser, every half second while the lesson is open) makes
// it evaluate the current step's check — at most once per PollInterval — and
// move on when it passes. So a step passes however the learner made it true.
//
// Rules: a step is checked only when it is current (or asked for by number);
// the last step is a recap, and reaching it and seeing its check pass marks
// the lesson done. Evaluations of one lesson in one sandbox are serialized;
// none holds the engine's lock while it talks to the API server.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"

	"github.com/glassplane/glassplane/controlplane"
	"github.com/glassplane/glassplane/controlplane/steps"
)

// PollInterval is how often a step's check is evaluated at most.
const PollInterval = 400 * time.Millisecond

// checkTimeout bounds one evaluation (a check never waits for the pacer:
// reads are not held, and a held review times out).
const checkTimeout = 5 * time.Second

// Sandbox is the cluster a learner follows lessons in.
type Sandbox struct {
	ID      string
	Cluster *controlplane.Cluster
	// Kubectl runs kubectl against the sandbox as a built-in user.
	Kubectl Kubectl
}

// Kubectl runs kubectl with args as user, with stdin as its input.
type Kubectl func(ctx context.Context, user string, args []string, stdin string) (KubectlOutput, error)

// KubectlOutput is what kubectl printed and how it exited.
type KubectlOutput struct {
	Stdout   string `json:"stdout"`
	Stderr   string `json:"stderr"`
	ExitCode int    `json:"exitCode"`
}

// Progress is where a sandbox is in a lesson (the JSON the browser gets).
type Progress struct {
	Lesson string        `json:"lesson"`
	Step   int           `json:"step"` // index of the current step
	Done   bool          `json:"done"` // the recap is reached and passed
	Passed []int         `json:"passed"`
	Checks []CheckResult `json:"checks"` // the last verdict of each step checked
}

// CheckResult is one verdict of a step's check.
type CheckResult struct {
	Step    int       `json:"step"`
	ID      string    `json:"id"`
	Passed  bool      `json:"passed"`
	Detail  string    `json:"detail"`  // what the check found, in English
	Message Note      `json:"message"` // the same, for the browser to say in the learner's language
	At      time.Time `json:"at"`
}

// Engine keeps every sandbox's progress.
type Engine struct {
	catalog    *Catalog
	base       context.Context // every sandbox's background context derives from it
	cancel     context.CancelFunc
	background sync.WaitGroup // background kubectl still running, waited for by Close

	store Store // keeps progress across restarts (nil: memory only)

	mu       sync.Mutex // guards progress, clients and work
	progress map[progressKey]*progress
	clients  map[string]*clients // by sandbox id
	work     map[string]sandboxWork
}

// sandboxWork is the context a sandbox's background kubectl runs under:
// Forget (the sandbox is deleted) or Close cancels it.
type sandboxWork struct {
	ctx    context.Context
	cancel context.CancelFunc
}

type progressKey struct{ sandbox, lesson string }

type progress struct {
	mu       sync.Mutex // serializes evaluations; guards the fields below
	lesson   *Lesson
	step     int
	done     bool
	passed   map[int]bool
	checks   map[int]CheckResult
	lastEval time.Time
	since    uint64    // the last step recorded before the lesson started
	stepAt   time.Time // when the current step began
	usedAt   time.Time // when the learner last asked about this lesson
}

// NewEngine follows learners through the lessons of catalog.
func NewEngine(catalog *Catalog) *Engine {
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{catalog: catalog, base: ctx, cancel: cancel,
		progress: map[progressKey]*progress{}, clients: map[string]*clients{}, work: map[string]sandboxWork{}}
}

// Catalog returns the lessons the engine offers.
func (e *Engine) Catalog() *Catalog { return e.catalog }

// Close ends kubectl commands still running in the background and waits
// for them.
func (e *Engine) Close() {
	e.mu.Lock()
	e.cancel() // under mu: no background kubectl starts after this (startBackground)
	e.mu.Unlock()
	e.background.Wait()
}

// startBackground runs f in the background unless the engine is closing:
// the WaitGroup that Close waits on may not grow once it waits.
func (e *Engine) startBackground(f func()) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.base.Err() != nil {
		return errors.New("the server is stopping")
	}
	e.background.Go(f)
	return nil
}

// Forget drops a sandbox's progress and clients and ends its background
// kubectl (when it is deleted).
func (e *Engine) Forget(sandboxID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.endBackgroundLocked(sandboxID)
	delete(e.clients, sandboxID)
	for k := range e.progress {
		if k.sandbox == sandboxID {
			delete(e.progress, k)
		}
	}
}

// sandboxContext is the context of sb's background work, until Forget.
func (e *Engine) sandboxContext(sandboxID string) context.Context {
	e.mu.Lock()
	defer e.mu.Unlock()
	w, ok := e.work[sandboxID]
	if !ok {
		ctx, cancel := context.WithCancel(e.base)
		w = sandboxWork{ctx: ctx, cancel: cancel}
		e.work[sandboxID] = w
	}
	return w.ctx
}

func (e *Engine) lesson(id string) (*Lesson, error) {
	l, ok := e.catalog.Get(id)
	if !ok {
		return nil, fmt.Errorf("there is no lesson %q", id)
	}
	return l, nil
}

// Start (re)starts a lesson in a sandbox at step (0 for the beginning).
func (e *Engine) Start(sb *Sandbox, lessonID string, step int) (Progress, error) {
	l, err := e.lesson(lessonID)
	if err != nil {
		return Progress{}, err
	}
	if step < 0 || step >= len(l.Steps) {
		return Progress{}, fmt.Errorf("lesson %s has steps 0 to %d", l.ID, len(l.Steps)-1)
	}
	now := time.Now()
	p := &progress{lesson: l, step: step, passed: map[int]bool{}, checks: map[int]CheckResult{},
		since: sb.Cluster.Steps.Last(), stepAt: now, usedAt: now}
	e.mu.Lock()
	e.progress[progressKey{sb.ID, l.ID}] = p
	e.mu.Unlock()
	p.mu.Lock()
	defer p.mu.Unlock()
	e.saveLocked(sb.ID, p)
	return p.snapshotLocked(), nil
}

func (e *Engine) progressOf(sb *Sandbox, lessonID string) (*progress, error) {
	l, err := e.lesson(lessonID)
	if err != nil {
		return nil, err
	}
	key := progressKey{sb.ID, l.ID}
	e.mu.Lock()
	p, ok := e.progress[key]
	e.mu.Unlock()
	now := time.Now()
	if !ok || p.lesson != l {
		fresh := &progress{lesson: l, passed: map[int]bool{}, checks: map[int]CheckResult{}, since: sb.Cluster.Steps.Last(), stepAt: now}
		e.restore(sb.ID, fresh) // outside e.mu: it may wait on the store
		e.mu.Lock()
		if p, ok = e.progress[key]; !ok || p.lesson != l {
			p = fresh
			e.progress[key] = p
		}
		e.mu.Unlock()
	}
	e.mu.Lock()
	p.usedAt = now // under e.mu, which Position reads it under
	e.mu.Unlock()
	return p, nil
}

// Progress evaluates the current step (unless it was evaluated within the
// last PollInterval), moves on when it passes, and returns where the
// sandbox is.
func (e *Engine) Progress(ctx context.Context, sb *Sandbox, lessonID string) (Progress, error) {
	p, err := e.progressOf(sb, lessonID)
	if err != nil {
		return Progress{}, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.done && time.Since(p.lastEval) >= PollInterval {
		e.evaluateLocked(ctx, sb, p, p.step)
	}
	return p.snapshotLocked(), nil
}

// CheckStep evaluates step n now; when n is the current step and it passes,
// the sandbox moves on.
func (e *Engine) CheckStep(ctx context.Context, sb *Sandbox, lessonID string, n int) (CheckResult, Progress, error) {
	p, err := e.progressOf(sb, lessonID)
	if err != nil {
		return CheckResult{}, Progress{}, err
	}
	if n < 0 || n >= len(p.lesson.Steps) {
		return CheckResult{}, Progress{}, fmt.Errorf("lesson %s has steps 0 to %d", lessonID, len(p.lesson.Steps)-1)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	r := e.evaluateLocked(ctx, sb, p, n)
	return r, p.snapshotLocked(), nil
}

func (e *Engine) evaluateLocked(ctx context.Context, sb *Sandbox, p *progress, n int) CheckResult {
	ok, detail := e.check(ctx, sb, p.lesson, n, p.since)
	r := CheckResult{Step: n, ID: p.lesson.Steps[n].ID, Passed: ok, Detail: detail.String(), Message: detail, At: time.Now()}
	p.checks[n] = r
	if n == p.step {
		p.lastEval = r.At
	}
	if !ok {
		return r
	}
	again := p.passed[n]
	p.passed[n] = true
	if n == p.step {
		if n == len(p.lesson.Steps)-1 {
			p.done = true
		} else {
			p.step++
			p.lastEval = time.Time{} // check the new step at the next poll
			p.stepAt = r.At
		}
	}
	if !again {
		e.saveLocked(sb.ID, p)
	}
	return r
}

// Position is where a sandbox is in the lesson it worked on last: what a
// teacher's roster shows.
type Position struct {
	Lesson string    `json:"lesson"`
	Title  Text      `json:"title"`
	Step   int       `json:"step"`  // index of the current step
	Steps  int       `json:"steps"` // how many the lesson has
	Done   bool      `json:"done"`
	StepAt time.Time `json:"stepAt"` // when the current step began
}

// Position returns where sandboxID is in the lesson it asked about last
// (false if it has opened none).
func (e *Engine) Position(sandboxID string) (Position, bool) {
	e.mu.Lock()
	var last *progress
	for k, p := range e.progress {
		if k.sandbox == sandboxID && (last == nil || p.usedAt.After(last.usedAt)) {
			last = p
		}
	}
	e.mu.Unlock()
	if last == nil {
		return Position{}, false
	}
	last.mu.Lock()
	defer last.mu.Unlock()
	return Position{Lesson: last.lesson.ID, Title: last.lesson.Title, Step: last.step, Steps: len(last.lesson.Steps),
		Done: last.done, StepAt: last.stepAt}, true
}

// Check evaluates the check of step n of lesson in sandbox sb (a recorded
// check looks at the steps since the sandbox started the lesson).
func (e *Engine) Check(ctx context.Context, sb *Sandbox, lesson *Lesson, n int) (passed bool, detail string) {
	var since uint64
	e.mu.Lock()
	if p, ok := e.progress[progressKey{sb.ID, lesson.ID}]; ok {
		since = p.since // set once, never changed
	}
	e.mu.Unlock()
	ok, found := e.check(ctx, sb, lesson, n, since)
	return ok, found.String()
}

func (e *Engine) check(ctx context.Context, sb *Sandbox, lesson *Lesson, n int, since uint64) (bool, Note) {
	if n < 0 || n >= len(lesson.Steps) {
		return false, note(fmt.Sprintf("lesson %s has no step %d", lesson.ID, n), "check.noStep", "lesson", lesson.ID, "n", n)
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	return e.evaluate(ctx, sb, lesson.Steps[n].Check, since)
}

func (p *progress) snapshot() Progress {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.snapshotLocked()
}

func (p *progress) snapshotLocked() Progress {
	out := Progress{Lesson: p.lesson.ID, Step: p.step, Done: p.done, Passed: []int{}, Checks: []CheckResult{}}
	for i := range p.lesson.Steps {
		if p.passed[i] {
			out.Passed = append(out.Passed, i)
		}
		if r, ok := p.checks[i]; ok {
			out.Checks = append(out.Checks, r)
		}
	}
	return out
}

// clients reach a sandbox's API server as its admin.
type clients struct {
	typed   kubernetes.Interface
	dynamic dynamic.Interface
	mapper  *restmapper.DeferredDiscoveryRESTMapper
}

func (e *Engine) clientsFor(sb *Sandbox) (*clients, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if cl, ok := e.clients[sb.ID]; ok {
		return cl, nil
	}
	cfg, err := sb.Cluster.ClientConfig("admin", "system:masters")
	if err != nil {
		return nil, err
	}
	cfg.UserAgent = "glassplane-lessons"
	// The engine's checks only look: the API server leaves their reads out
	// of the step history, so the learner's timeline shows the cluster's
	// work, not the lesson peeking at it.
	wrap := cfg.WrapTransport
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return observer{wrap(rt)}
	}
	typed, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	cl := &clients{typed: typed, dynamic: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}
	e.clients[sb.ID] = cl
	return cl, nil
}

// observer marks every request as made to look, not to act.
type observer struct{ base http.RoundTripper }

func (o observer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(steps.ObserverHeader, "lessons")
	return o.base.RoundTrip(r)
}

// mapping finds the resource of a kind, refreshing discovery once on a miss.
func (cl *clients) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := cl.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		cl.mapper.Reset()
		m, err = cl.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	return m, err
}
