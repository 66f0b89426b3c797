package lessons

// A Note is what a check found, said twice: as a key of the browser's
// catalogue (web/src/i18n/catalog.ts, the checks table) with the values it
// names, so the lesson panel can say it in the learner's language, and as
// one English sentence for the API, logs and tests. A note of all, any or
// not holds the notes of its parts.

import "fmt"

// Note is one verdict's explanation (the JSON the browser gets).
type Note struct {
	Key   string            `json:"key"`
	Args  map[string]string `json:"args,omitempty"`
	Parts []Note            `json:"parts,omitempty"`
	text  string
}

// note makes a Note: its English text, its key and its arguments as
// name, value pairs.
func note(text, key string, nameValues ...any) Note {
	n := Note{Key: key, text: text}
	if len(nameValues) > 0 {
		n.Args = make(map[string]string, len(nameValues)/2)
		for i := 0; i+1 < len(nameValues); i += 2 {
			n.Args[fmt.Sprint(nameValues[i])] = fmt.Sprint(nameValues[i+1])
		}
	}
	return n
}

// errorNote says an error as it came: Kubernetes' own words.
func errorNote(err error) Note {
	return note(err.Error(), "check.error", "error", err.Error())
}

// String is the note in English.
func (n Note) String() string { return n.text }
