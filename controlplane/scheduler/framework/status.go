// Package framework is the vocabulary the scheduler and its plugins share,
// in the shape of kube-scheduler's scheduling framework: a Status that a
// filter plugin returns for one node, the NodeInfo it judges (the node plus
// the pods already on it), and the plugin interfaces.
//
// A Status is the verdict of one plugin on one node. nil means Success — the
// plugin has no objection. Unschedulable means "not now": the node could take
// the pod if something changed on it (pods left it, so preemption could
// help). UnschedulableAndUnresolvable means "never, as the node is": a taint,
// a label, a cordon — removing pods would not help. The reasons are the
// learner-visible words ("Insufficient cpu") that the scheduler counts into
// its "0/3 nodes are available: …" message.
package framework

import "strings"

// Code says how a plugin judged a node.
type Code int

const (
	// Success: the plugin lets the pod onto the node.
	Success Code = iota
	// Unschedulable: the node does not fit now; evicting pods could change that.
	Unschedulable
	// UnschedulableAndUnresolvable: the node does not fit, and preemption would not help.
	UnschedulableAndUnresolvable
)

// String is the word the scheduler's filter step shows for a verdict.
func (c Code) String() string {
	switch c {
	case Success:
		return "Success"
	case Unschedulable:
		return "Unschedulable"
	case UnschedulableAndUnresolvable:
		return "UnschedulableAndUnresolvable"
	}
	return "Unknown"
}

// Status is one plugin's verdict on one node. A nil *Status is Success.
type Status struct {
	code    Code
	reasons []string
}

// NewStatus returns a status with a code and the reasons behind it.
func NewStatus(code Code, reasons ...string) *Status {
	return &Status{code: code, reasons: reasons}
}

// Code returns the verdict (Success for nil).
func (s *Status) Code() Code {
	if s == nil {
		return Success
	}
	return s.code
}

// IsSuccess reports whether the plugin lets the pod onto the node.
func (s *Status) IsSuccess() bool { return s.Code() == Success }

// Reasons are the words the failure message counts, one per reason.
func (s *Status) Reasons() []string {
	if s == nil {
		return nil
	}
	return s.reasons
}

// Message joins the reasons for display.
func (s *Status) Message() string { return strings.Join(s.Reasons(), ", ") }
