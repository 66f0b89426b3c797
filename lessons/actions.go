package lessons

// "Do it for me": a step's actions are what the learner would otherwise do
// by hand — apply a manifest, run kubectl (as the admin, or as alice or
// bob), set the pacer, press Next, stop or start a component. They go
// through the same doors the learner's hands would: kubectl through the
// terminal's runner and its allow-list, the pacer and components through
// the sandbox's own controls. Doing a step does not pass it; its check does,
// at the next poll.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glassplane/glassplane/controlplane/steps"
)

// ActionResult is what one action did.
type ActionResult struct {
	Action string         `json:"action"` // e.g. "kubectl get pods", "stop scheduler"
	Output *KubectlOutput `json:"output,omitempty"`
	Error  string         `json:"error,omitempty"`
}

// nextUntilPassedLimit bounds how long "do it for me" presses Next.
const nextUntilPassedLimit = 30 * time.Second

// backgroundLimit bounds a background kubectl (a request held in step mode).
const backgroundLimit = 10 * time.Minute

// backgroundGrace is how long "do it for me" waits for a background kubectl
// that fails at once, so its error is shown rather than lost; it answers as
// soon as the pacer holds the request instead.
const backgroundGrace = time.Second

// Do performs the actions of step n of lesson in sb, in order, and stops at
// the first that fails.
func (e *Engine) Do(ctx context.Context, sb *Sandbox, lesson *Lesson, n int) ([]ActionResult, error) {
	if n < 0 || n >= len(lesson.Steps) {
		return nil, fmt.Errorf("lesson %s has no step %d", lesson.ID, n)
	}
	results := []ActionResult{}
	for _, a := range lesson.Steps[n].Actions {
		r := ActionResult{Action: describeAction(a)}
		out, err := e.do(ctx, sb, lesson, n, a)
		r.Output = out
		if err != nil {
			r.Error = err.Error()
			return append(results, r), fmt.Errorf("%s: %w", r.Action, err)
		}
		results = append(results, r)
	}
	return results, nil
}

func (e *Engine) do(ctx context.Context, sb *Sandbox, lesson *Lesson, n int, a Action) (*KubectlOutput, error) {
	switch {
	case a.Apply != "":
		return e.kubectl(ctx, sb, Action{Kubectl: []string{"apply", "-f", "-"}, Stdin: a.Apply})
	case len(a.Kubectl) > 0:
		return e.kubectl(ctx, sb, a)
	case a.Pacer != nil:
		setPacer(sb.Cluster.Pacer, *a.Pacer)
	case a.Next:
		sb.Cluster.Pacer.Next()
	case a.NextUntilPassed:
		return nil, e.nextUntilPassed(ctx, sb, lesson, n)
	case a.Stop != "":
		return nil, sb.Cluster.StopComponent(a.Stop)
	case a.Start != "":
		return nil, sb.Cluster.StartComponent(a.Start)
	case a.StopEtcdLeader:
		return nil, stopEtcdLeader(ctx, sb)
	case a.StartEtcdMembers:
		return nil, startEtcdMembers(sb)
	case a.SaveSnapshot:
		_, err := sb.Cluster.SaveSnapshot(ctx)
		return nil, err
	case a.RestoreSnapshot:
		return nil, restoreNewestSnapshot(ctx, sb)
	case a.Delete != nil:
		return nil, e.deleteAndWait(ctx, sb, *a.Delete)
	}
	return nil, nil
}

func (e *Engine) kubectl(ctx context.Context, sb *Sandbox, a Action) (*KubectlOutput, error) {
	if sb.Kubectl == nil {
		return nil, errors.New("kubectl is not available in this sandbox")
	}
	user := a.As
	if user == "" {
		user = "admin"
	}
	if a.Background {
		// It runs under the sandbox's context, not the request's: it ends
		// when the sandbox is deleted (Forget), the engine closes, or after
		// backgroundLimit, whichever comes first.
		// A command that fails at once (refused, or the object exists)
		// is reported like one in the foreground; one still running after
		// backgroundGrace is held, as the step expects.
		bctx, cancel := context.WithTimeout(e.sandboxContext(sb.ID), backgroundLimit)
		ended := make(chan kubectlEnd, 1)
		err := e.startBackground(func() {
			defer cancel()
			out, err := sb.Kubectl(bctx, user, a.Kubectl, a.Stdin)
			ended <- kubectlEnd{out, err}
		})
		if err != nil {
			cancel()
			return nil, err
		}
		grace := time.After(backgroundGrace)
		for {
			select {
			case end := <-ended:
				return judgeKubectl(a, end.out, end.err)
			case <-grace:
				return nil, nil
			case <-ctx.Done():
				return nil, nil
			case <-time.After(20 * time.Millisecond):
				if apiserverHolds(sb) {
					return nil, nil // held, as the step expects: answer now
				}
			}
		}
	}
	out, err := sb.Kubectl(ctx, user, a.Kubectl, a.Stdin)
	return judgeKubectl(a, out, err)
}

// apiserverHolds says whether the pacer holds a request at the API server.
func apiserverHolds(sb *Sandbox) bool {
	if sb.Cluster == nil {
		return false
	}
	for _, w := range sb.Cluster.Pacer.State().Waiting {
		if w.Component == "apiserver" {
			return true
		}
	}
	return false
}

// kubectlEnd is how a background kubectl ended.
type kubectlEnd struct {
	out KubectlOutput
	err error
}

// judgeKubectl turns kubectl's exit into the action's result: a failure is
// an error unless the action expects one (Fails).
func judgeKubectl(a Action, out KubectlOutput, err error) (*KubectlOutput, error) {
	if err != nil {
		return nil, err
	}
	switch {
	case out.ExitCode != 0 && !a.Fails:
		return &out, fmt.Errorf("kubectl failed: %s", strings.TrimSpace(out.Stderr))
	case out.ExitCode == 0 && a.Fails:
		return &out, errors.New("kubectl was expected to fail, and did not")
	}
	return &out, nil
}

// setPacer changes the fields the action sets, as the pacer panel does.
func setPacer(p *steps.Pacer, a PacerAction) {
	st := p.State()
	if a.Mode != nil {
		st.Mode = *a.Mode
	}
	if a.DelayMs != nil {
		st.DelayMs = *a.DelayMs
	}
	if a.Breakpoints != nil {
		st.Breakpoints = nil
		for _, b := range *a.Breakpoints {
			st.Breakpoints = append(st.Breakpoints, steps.Breakpoint(b))
		}
	}
	if a.Paused != nil {
		st.Paused = *a.Paused
	}
	p.Set(st)
}

// nextUntilPassed presses Next, as a learner clicking through step mode,
// until step n's check passes.
func (e *Engine) nextUntilPassed(ctx context.Context, sb *Sandbox, lesson *Lesson, n int) error {
	deadline := time.Now().Add(nextUntilPassedLimit)
	for {
		ok, detail := e.Check(ctx, sb, lesson, n)
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pressed Next for %v and the step still has not happened: %s", nextUntilPassedLimit, detail)
		}
		sb.Cluster.Pacer.Next()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func describeAction(a Action) string {
	switch {
	case a.Apply != "":
		return "kubectl apply -f - (the manifest of this step)"
	case len(a.Kubectl) > 0:
		s := "kubectl " + strings.Join(a.Kubectl, " ")
		if a.As != "" {
			s += " (as " + a.As + ")"
		}
		return s
	case a.Pacer != nil:
		return "set the pacer"
	case a.Next:
		return "press Next"
	case a.NextUntilPassed:
		return "press Next until the step happens"
	case a.Stop != "":
		return "stop " + a.Stop
	case a.Start != "":
		return "start " + a.Start
	case a.StopEtcdLeader:
		return "stop the etcd leader"
	case a.StartEtcdMembers:
		return "start the stopped etcd members"
	case a.SaveSnapshot:
		return "save a snapshot"
	case a.RestoreSnapshot:
		return "restore the newest snapshot"
	case a.Delete != nil:
		return "delete " + describeObjects(&ObjectCheck{Kind: a.Delete.Kind, Name: a.Delete.Name, Selector: a.Delete.Selector}, a.Delete.Namespace)
	}
	return "nothing"
}

// restoreNewestSnapshot restores the sandbox's newest snapshot.
func restoreNewestSnapshot(ctx context.Context, sb *Sandbox) error {
	all, err := sb.Cluster.Snapshots(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return errors.New("no snapshot saved yet: save one first")
	}
	_, err = sb.Cluster.RestoreSnapshot(ctx, all[len(all)-1].Name)
	return err
}
