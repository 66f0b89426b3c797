package lessons_test

// The lessons' Traditional Chinese follows the same rules as the user
// interface's catalogue (web/test/zhstyle.ts): full-width punctuation next to
// Chinese, no space between two Chinese characters or next to full-width
// punctuation, and the words of the glossary both share
// (web/src/i18n/glossary.json). Code in backticks is left as it is.

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/glassplane/glassplane/lessons"
)

type glossary struct {
	Terms []struct {
		En    string   `json:"en"`
		Zh    string   `json:"zh"`
		Avoid []string `json:"avoid"`
	} `json:"terms"`
}

func readGlossary(t *testing.T) glossary {
	t.Helper()
	data, err := os.ReadFile("../web/src/i18n/glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	var g glossary
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("glossary.json: %v", err)
	}
	return g
}

const fullWidth = "，。：；！？、（）「」"

var zhRules = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`\p{Han} ?[,.:;!?()]`), "half-width punctuation after Chinese"},
	{regexp.MustCompile(`[,:;!?()] ?\p{Han}`), "half-width punctuation before Chinese"},
	{regexp.MustCompile(`\([^()]*\p{Han}[^()]*\)`), "half-width parentheses around Chinese"},
	{regexp.MustCompile(`[^\d\s],\S|,[^\s\d]|;\S`), "a half-width comma or semicolon in a Chinese sentence"},
	{regexp.MustCompile(`\p{Han} +\p{Han}`), "a space between Chinese characters"},
	{regexp.MustCompile(` [` + fullWidth + `]|[` + fullWidth + `] `), "a space next to full-width punctuation"},
}

var codeSpan = regexp.MustCompile("`[^`]*`")

// zhFaults says what in one zh-TW text breaks the rules, quoting it.
func zhFaults(zh string, g glossary) []string {
	prose := codeSpan.ReplaceAllString(zh, "x")
	var faults []string
	for _, r := range zhRules {
		if loc := r.re.FindStringIndex(prose); loc != nil {
			faults = append(faults, fmt.Sprintf("%s: «%s»", r.what, around(prose, loc[0], loc[1])))
		}
	}
	for _, term := range g.Terms {
		for _, avoid := range term.Avoid {
			if strings.Contains(prose, avoid) {
				faults = append(faults, fmt.Sprintf("%q where the glossary says %q (%s)", avoid, term.Zh, term.En))
			}
		}
	}
	return faults
}

// around is prose[from:to] with a few characters either side.
func around(prose string, from, to int) string {
	r := []rune(prose)
	start, end := len([]rune(prose[:from])), len([]rune(prose[:to]))
	return string(r[max(0, start-8):min(len(r), end+8)])
}

// zhTexts lists every zh-TW text of a lesson, named by where it is.
func zhTexts(l *lessons.Lesson) map[string]string {
	out := map[string]string{l.ID + ".title": l.Title.ZhTW, l.ID + ".summary": l.Summary.ZhTW}
	for _, s := range l.Steps {
		out[l.ID+"."+s.ID+".text"] = s.Text.ZhTW
		if s.Hint != nil {
			out[l.ID+"."+s.ID+".hint"] = s.Hint.ZhTW
		}
		if s.Question != nil {
			out[l.ID+"."+s.ID+".question"] = s.Question.ZhTW
		}
	}
	return out
}

func TestBuiltInLessonsWriteTraditionalChineseWithFullWidthPunctuationAndTheGlossarysWords(t *testing.T) {
	g := readGlossary(t)
	cat, err := lessons.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range cat.Lessons() {
		for where, zh := range zhTexts(l) {
			n++
			for _, f := range zhFaults(zh, g) {
				t.Errorf("%s: %s", where, f)
			}
		}
	}
	if n < 100 {
		t.Errorf("only %d zh-TW texts checked", n)
	}
}

func TestBuiltInStyleCheckCatchesHalfWidthPunctuationAndStraySpaces(t *testing.T) {
	g := readGlossary(t)
	for _, bad := range []string{"一個指令,七個關卡", "就緒探針(readiness probe)失敗了", "為什麼?", "etcd 是叢集的記憶.",
		"身分驗證、 控制器管理員", "控制器 管理員", "請 API Server 建立", "建立一個 Deployment echo,2 個副本", "送到副本集"} {
		if len(zhFaults(bad, g)) == 0 {
			t.Errorf("%q passes the check", bad)
		}
	}
	good := "執行 `kubectl get pods -o wide, -n x`，看 status.phase 為 Running（執行中）；1,000 個「0/3 nodes are available: 3 Insufficient cpu.」"
	if f := zhFaults(good, g); len(f) != 0 {
		t.Errorf("%q fails the check: %v", good, f)
	}
}
