// Package lessons holds Glassplane's guided walkthroughs and the engine that
// follows a learner through them.
//
// A lesson is a YAML file: an id, a title and a summary, and steps. Each step
// says, in English and in Traditional Chinese, what to do and what to watch
// in the diagram; it may carry actions ("do it for me"), a check, a hint and
// pointers into the code ("read the code", by package and function name,
// never by line). The last step is a recap that asks a question to think
// about.
//
// A check is data, not code: "a Pod labelled app=hello has spec.nodeName",
// "the scheduler is stopped", "bob may not create deployments". The engine
// evaluates it through the sandbox's API server as its admin, with
// client-go, exactly as a learner with kubectl could. So a step passes
// however the learner made it true — "do it for me", the terminal, the
// playground or their own kubectl.
//
// A lesson may say how to clear the ground before its first step (`reset`):
// actions such as "pacer back to live" and "delete the seed Deployment",
// run when the learner starts the lesson or starts it over, so a lesson
// tried once, or a seed already applied in the playground, does not leave
// the first steps true before the learner does them.
//
// Rules of the format: every text has both "en" and "zh-TW"; every step but
// a recap has a check that is false before the step's actions and true after
// them (the lesson tests prove it); only a recap may say `none: true`.
package lessons

// Text is one piece of learner-facing text in both languages.
type Text struct {
	En   string `yaml:"en" json:"en"`
	ZhTW string `yaml:"zh-TW" json:"zh-TW"`
}

// Lesson is one guided walkthrough.
type Lesson struct {
	ID      string `yaml:"id" json:"id"`
	Title   Text   `yaml:"title" json:"title"`
	Summary Text   `yaml:"summary" json:"summary"`
	Steps   []Step `yaml:"steps" json:"steps"`
	// Reset are the actions that clear what the lesson makes, run before
	// its first step (Engine.Reset).
	Reset []Action `yaml:"reset,omitempty" json:"reset,omitempty"`
	// Source is the file the lesson came from ("embedded:01-….yaml" or a path).
	Source string `yaml:"-" json:"source"`
}

// Step is one thing the learner does and sees.
type Step struct {
	ID      string        `yaml:"id" json:"id"`
	Text    Text          `yaml:"text" json:"text"`
	Actions []Action      `yaml:"actions,omitempty" json:"actions,omitempty"`
	Check   Check         `yaml:"check" json:"check"`
	Hint    *Text         `yaml:"hint,omitempty" json:"hint,omitempty"`
	Code    []CodePointer `yaml:"code,omitempty" json:"code,omitempty"`
	// Recap marks the closing step; it must ask a Question.
	Recap    bool  `yaml:"recap,omitempty" json:"recap,omitempty"`
	Question *Text `yaml:"question,omitempty" json:"question,omitempty"`
}

// CodePointer names a function to read: package path under the module
// ("controlplane/scheduler") and function ("(*Scheduler).scheduleOne").
type CodePointer struct {
	Package  string `yaml:"package" json:"package"`
	Function string `yaml:"function" json:"function"`
}

// Action is one thing "do it for me" (or a lesson's reset) does. Exactly one
// kind is set: Apply, Kubectl, Pacer, Next, NextUntilPassed, Stop, Start,
// StopEtcdLeader, StartEtcdMembers, SaveSnapshot, RestoreSnapshot or Delete.
type Action struct {
	// Apply is a manifest, applied as the sandbox admin (kubectl apply -f -).
	Apply string `yaml:"apply,omitempty" json:"apply,omitempty"`
	// Kubectl runs kubectl with these arguments, as the admin or As.
	Kubectl []string `yaml:"kubectl,omitempty" json:"kubectl,omitempty"`
	Stdin   string   `yaml:"stdin,omitempty" json:"stdin,omitempty"`
	// As is a built-in user (alice or bob) to run kubectl as.
	As string `yaml:"as,omitempty" json:"as,omitempty"`
	// Fails says kubectl is expected to fail (a forbidden request).
	Fails bool `yaml:"fails,omitempty" json:"fails,omitempty"`
	// Background runs kubectl without waiting for it: a request the pacer
	// holds in step mode answers only after the learner presses Next.
	Background bool `yaml:"background,omitempty" json:"background,omitempty"`
	// Pacer changes the fields it sets of the sandbox's pacer.
	Pacer *PacerAction `yaml:"pacer,omitempty" json:"pacer,omitempty"`
	// Next presses Next once; NextUntilPassed presses it until the step's
	// check passes — what a learner does by clicking Next repeatedly.
	Next            bool `yaml:"next,omitempty" json:"next,omitempty"`
	NextUntilPassed bool `yaml:"nextUntilPassed,omitempty" json:"nextUntilPassed,omitempty"`
	// Stop and Start stop or start a component ("scheduler", "kubelet/node-2").
	Stop  string `yaml:"stop,omitempty" json:"stop,omitempty"`
	Start string `yaml:"start,omitempty" json:"start,omitempty"`
	// StopEtcdLeader stops whichever etcd member leads now, as a learner
	// does by finding the ★ on the diagram; StartEtcdMembers starts every
	// stopped member again.
	StopEtcdLeader   bool `yaml:"stopEtcdLeader,omitempty" json:"stopEtcdLeader,omitempty"`
	StartEtcdMembers bool `yaml:"startEtcdMembers,omitempty" json:"startEtcdMembers,omitempty"`
	// SaveSnapshot saves a snapshot of the sandbox's keys; RestoreSnapshot
	// restores the newest one — the etcd pane's two buttons.
	SaveSnapshot    bool `yaml:"saveSnapshot,omitempty" json:"saveSnapshot,omitempty"`
	RestoreSnapshot bool `yaml:"restoreSnapshot,omitempty" json:"restoreSnapshot,omitempty"`
	// Delete deletes the objects it names and waits until they are gone
	// (a Pod is gone when its kubelet confirmed it stopped).
	Delete *ObjectRef `yaml:"delete,omitempty" json:"delete,omitempty"`
}

// ObjectRef names objects of a kind: one by Name, or all that Selector picks
// (every one when both are empty), in Namespace ("default" when the kind is
// namespaced and it is empty).
type ObjectRef struct {
	APIVersion string `yaml:"apiVersion" json:"apiVersion"`
	Kind       string `yaml:"kind" json:"kind"`
	Namespace  string `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Name       string `yaml:"name,omitempty" json:"name,omitempty"`
	Selector   string `yaml:"selector,omitempty" json:"selector,omitempty"`
}

// PacerAction sets the pacer fields that are present.
type PacerAction struct {
	Mode        *string       `yaml:"mode,omitempty" json:"mode,omitempty"`
	DelayMs     *int          `yaml:"delayMs,omitempty" json:"delayMs,omitempty"`
	Breakpoints *[]Breakpoint `yaml:"breakpoints,omitempty" json:"breakpoints,omitempty"`
	Paused      *[]string     `yaml:"paused,omitempty" json:"paused,omitempty"`
}

// Breakpoint is steps.Breakpoint in lesson form.
type Breakpoint struct {
	Component string `yaml:"component" json:"component"`
	Stage     string `yaml:"stage,omitempty" json:"stage,omitempty"`
	Kind      string `yaml:"kind,omitempty" json:"kind,omitempty"`
}

// Check is one condition on the sandbox. Exactly one field is set.
type Check struct {
	Object    *ObjectCheck    `yaml:"object,omitempty" json:"object,omitempty"`
	Component *ComponentCheck `yaml:"component,omitempty" json:"component,omitempty"`
	Pacer     *PacerCheck     `yaml:"pacer,omitempty" json:"pacer,omitempty"`
	CanI      *CanICheck      `yaml:"canI,omitempty" json:"canI,omitempty"`
	Events    *EventsCheck    `yaml:"events,omitempty" json:"events,omitempty"`
	Recorded  *RecordedCheck  `yaml:"recorded,omitempty" json:"recorded,omitempty"`
	Etcd      *EtcdCheck      `yaml:"etcd,omitempty" json:"etcd,omitempty"`
	All       []Check         `yaml:"all,omitempty" json:"all,omitempty"`
	Any       []Check         `yaml:"any,omitempty" json:"any,omitempty"`
	Not       *Check          `yaml:"not,omitempty" json:"not,omitempty"`
	// None: nothing to check (recap steps only).
	None bool `yaml:"none,omitempty" json:"none,omitempty"`
}

// ObjectCheck counts the objects of a kind that match name or selector and
// every Where clause, and compares the count with Count (">=1" unless set).
type ObjectCheck struct {
	APIVersion string  `yaml:"apiVersion" json:"apiVersion"`
	Kind       string  `yaml:"kind" json:"kind"`
	Namespace  string  `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Name       string  `yaml:"name,omitempty" json:"name,omitempty"`
	Selector   string  `yaml:"selector,omitempty" json:"selector,omitempty"`
	Count      string  `yaml:"count,omitempty" json:"count,omitempty"`
	Where      []Where `yaml:"where,omitempty" json:"where,omitempty"`
}

// Where is one condition on a field of an object. Path is dotted, with
// [n] for an index, [key] for a map key with dots in it, and [field=value]
// to pick a list element: status.conditions[type=Ready].status.
type Where struct {
	Path  string `yaml:"path" json:"path"`
	Op    string `yaml:"op" json:"op"` // exists | notExists | equals | notEquals | contains
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
}

// ComponentCheck asks whether a component runs.
type ComponentCheck struct {
	Name    string `yaml:"name" json:"name"`
	Running bool   `yaml:"running" json:"running"`
}

// PacerCheck asks about the pacer: its mode, whether Paused holds a
// component, whether a step of Waiting's component (and stage) is held.
type PacerCheck struct {
	Mode    string      `yaml:"mode,omitempty" json:"mode,omitempty"`
	Paused  string      `yaml:"paused,omitempty" json:"paused,omitempty"`
	Waiting *Breakpoint `yaml:"waiting,omitempty" json:"waiting,omitempty"`
}

// CanICheck asks the API server (a SubjectAccessReview) whether User may
// do Verb on Resource.
type CanICheck struct {
	User      string `yaml:"user" json:"user"`
	Verb      string `yaml:"verb" json:"verb"`
	Resource  string `yaml:"resource" json:"resource"`
	Group     string `yaml:"group,omitempty" json:"group,omitempty"`
	Namespace string `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Allowed   bool   `yaml:"allowed" json:"allowed"`
}

// EtcdCheck asks about etcd's members: that there are at least Members,
// that exactly Running run, and whether one of them leads (Leader).
type EtcdCheck struct {
	// Snapshots is how many saved snapshots the sandbox has at least.
	Snapshots int   `yaml:"snapshots,omitempty" json:"snapshots,omitempty"`
	Members   int   `yaml:"members,omitempty" json:"members,omitempty"`
	Running   *int  `yaml:"running,omitempty" json:"running,omitempty"`
	Leader    *bool `yaml:"leader,omitempty" json:"leader,omitempty"`
}

// EventsCheck counts Events with a reason, about a kind (and name) of object.
type EventsCheck struct {
	Reason       string `yaml:"reason" json:"reason"`
	InvolvedKind string `yaml:"involvedKind,omitempty" json:"involvedKind,omitempty"`
	InvolvedName string `yaml:"involvedName,omitempty" json:"involvedName,omitempty"`
	Namespace    string `yaml:"namespace,omitempty" json:"namespace,omitempty"`
	Count        string `yaml:"count,omitempty" json:"count,omitempty"`
}

// RecordedCheck asks whether the control plane recorded a step like this
// since the lesson started: a request the API server refused leaves no
// object behind, only its step ("authorize: denied", "validate: invalid").
type RecordedCheck struct {
	Component string `yaml:"component" json:"component"`
	Stage     string `yaml:"stage,omitempty" json:"stage,omitempty"`
	Outcome   string `yaml:"outcome,omitempty" json:"outcome,omitempty"`
	Kind      string `yaml:"kind,omitempty" json:"kind,omitempty"`
}
