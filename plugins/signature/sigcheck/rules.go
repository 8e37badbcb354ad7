package sigcheck

import "github.com/ehraz/ehraz/plugins/sdk"

// Rule ids and reason keys (locales/*/signature.json).
const (
	RulePaperFound = "signature.paper.found"
	RulePaperSize  = "signature.paper.size"
	RulePaperWhite = "signature.paper.white"
	RuleLightEven  = "signature.light.even"
	RuleLightGlare = "signature.light.glare"
	RuleInkAmount  = "signature.ink.amount"
	RuleInkPrinted = "signature.ink.printed"
	RuleSharpness  = "signature.sharpness"
	RuleSteady     = "signature.steady"
	RuleCount      = "signature.count"

	reasonOK          = "verdict.signature.ok"
	reasonPaperNone   = "verdict.signature.paper.none"
	reasonPaperSmall  = "verdict.signature.paper.small"
	reasonPaperDark   = "verdict.signature.paper.dark"
	reasonUneven      = "verdict.signature.light.uneven"
	reasonGlare       = "verdict.signature.light.glare"
	reasonInkNone     = "verdict.signature.ink.none"
	reasonInkTooMuch  = "verdict.signature.ink.too_much"
	reasonPrinted     = "verdict.signature.ink.printed"
	reasonBlurred     = "verdict.signature.blurred"
	reasonShaken      = "verdict.signature.shaken"
	reasonMany        = "verdict.signature.count.many"
	reasonNotMeasured = "verdict.signature.not_measured"
)

// judge turns measurements into rules and the overall verdict. Nothing passes unless every rule
// was measured and passed; a rule that could not be measured makes the verdict could-not-verify
// unless another rule failed.
func judge(m measurement, th Thresholds) sdk.Verdict {
	var rules []sdk.Rule
	add := func(name string, pass bool, failReason string, value, threshold float64, unit string) {
		r := sdk.Rule{Name: name, Outcome: sdk.Pass, Reason: reasonOK, Value: value, Threshold: threshold, Unit: unit}
		if !pass {
			r.Outcome, r.Reason = sdk.Fail, failReason
		}
		rules = append(rules, r)
	}
	notMeasured := func(name string, threshold float64, unit string) {
		rules = append(rules, sdk.Rule{Name: name, Outcome: sdk.CouldNotVerify, Reason: reasonNotMeasured, Threshold: threshold, Unit: unit})
	}
	s := m.sheet
	found := 0.0
	if s.found {
		found = 1
	}
	add(RulePaperFound, s.found, reasonPaperNone, found, 1, "")
	if s.found && m.ink != nil {
		st := m.ink
		add(RulePaperSize, s.areaFrac >= th.PaperMinArea, reasonPaperSmall, s.areaFrac, th.PaperMinArea, "ratio")
		add(RulePaperWhite, s.bright >= th.PaperMinBright, reasonPaperDark, s.bright, th.PaperMinBright, "level")
		add(RuleLightEven, st.evenness >= th.LightMinEven, reasonUneven, st.evenness, th.LightMinEven, "ratio")
		add(RuleLightGlare, st.glare <= th.GlareMax, reasonGlare, st.glare, th.GlareMax, "ratio")
		switch {
		case st.ratio < th.InkMin:
			add(RuleInkAmount, false, reasonInkNone, st.ratio, th.InkMin, "ratio")
		default:
			add(RuleInkAmount, st.ratio <= th.InkMax, reasonInkTooMuch, st.ratio, th.InkMax, "ratio")
		}
		switch {
		case st.ratio >= th.InkMin:
			add(RuleInkPrinted, float64(st.components) <= th.PrintedMax, reasonPrinted, float64(st.components), th.PrintedMax, "components")
			add(RuleSharpness, st.sharp >= th.SharpMin, reasonBlurred, st.sharp, th.SharpMin, "ratio")
			add(RuleSteady, st.coherence <= th.ShakeCoherence, reasonShaken, st.coherence, th.ShakeCoherence, "ratio")
			add(RuleCount, float64(st.clusters) <= th.MaxSignatures, reasonMany, float64(st.clusters), th.MaxSignatures, "clusters")
		case st.inkPixels > 0:
			// Too little ink to judge a signature, but enough to tell whether blur erased it.
			notMeasured(RuleInkPrinted, th.PrintedMax, "components")
			add(RuleSharpness, st.sharp >= th.SharpMin, reasonBlurred, st.sharp, th.SharpMin, "ratio")
			notMeasured(RuleSteady, th.ShakeCoherence, "ratio")
			notMeasured(RuleCount, th.MaxSignatures, "clusters")
		default:
			notMeasured(RuleInkPrinted, th.PrintedMax, "components")
			notMeasured(RuleSharpness, th.SharpMin, "ratio")
			notMeasured(RuleSteady, th.ShakeCoherence, "ratio")
			notMeasured(RuleCount, th.MaxSignatures, "clusters")
		}
	}
	return verdictFrom(rules)
}

// verdictFrom derives the outcome and the reasons (failures first, in rule order) from rules.
func verdictFrom(rules []sdk.Rule) sdk.Verdict {
	v := sdk.Verdict{Outcome: sdk.Pass, Rules: rules}
	var cnv []string
	for _, r := range rules {
		switch r.Outcome {
		case sdk.Pass:
		case sdk.Fail:
			v.Outcome = sdk.Fail
			v.Reasons = append(v.Reasons, r.Reason)
		default:
			cnv = append(cnv, r.Reason)
		}
	}
	switch {
	case len(rules) == 0:
		return sdk.CouldNotVerifyVerdict(reasonNotMeasured)
	case v.Outcome == sdk.Fail:
	case len(cnv) > 0:
		v.Outcome, v.Reasons = sdk.CouldNotVerify, cnv[:1]
	default:
		v.Reasons = []string{reasonOK}
	}
	return v
}
