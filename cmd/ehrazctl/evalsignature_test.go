package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/synth"
)

// TestPrintSignatureEval: the counts printed follow the verdicts (a rejected genuine signature, a
// negative caught for the wrong reason, a negative accepted).
func TestPrintSignatureEval(t *testing.T) {
	fail := func(rule, reason string) sdk.Verdict {
		return sdk.Verdict{Outcome: sdk.Fail, Reasons: []string{reason},
			Rules: []sdk.Rule{{Name: rule, Outcome: sdk.Fail, Reason: reason}}}
	}
	pass := sdk.Verdict{Outcome: sdk.Pass, Rules: []sdk.Rule{{Name: "signature.count", Outcome: sdk.Pass}}}
	c := func(k synth.SheetKind) synth.SheetCase { return synth.SheetCase{Kind: k, Want: synth.Expect(k)} }
	res := []sigResult{
		{c: c(synth.SheetGood), v: pass},
		{c: c(synth.SheetGood), v: fail("signature.steady", "verdict.signature.shaken")},
		{c: c(synth.SheetTwo), v: fail("signature.count", "verdict.signature.count.many")},
		{c: c(synth.SheetTwo), v: fail("signature.ink.amount", "verdict.signature.ink.none")},
		{c: c(synth.SheetGlare), v: pass},
	}
	var out bytes.Buffer
	printSignatureEval(&out, "p", 2, 1280, 720, res)
	for _, want := range []string{
		"eval.signature.kind kind=good n=2 pass=1 fail=1 could_not_verify=0 correct=1 accuracy=0.500",
		"eval.signature.kind kind=two n=2 pass=0 fail=2 could_not_verify=0 correct=1 accuracy=0.500",
		"eval.signature.rule rule=signature.count tp=1 fn=1 fp=0 fp_on_good=0 tn=3 recall=0.500",
		"eval.signature.rule rule=signature.steady tp=0 fn=0 fp=1 fp_on_good=1 tn=4 recall=0.000",
		"eval.signature.overall genuine_accepted=1 genuine_rejected=1 negative_accepted=1 negative_rejected=2 accuracy=0.600 negative_right_reason=1",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in:\n%s", want, out.String())
		}
	}
}
