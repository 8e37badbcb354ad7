package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ehraz/ehraz/app/detect"
	"github.com/ehraz/ehraz/plugins/sdk"
	"github.com/ehraz/ehraz/plugins/sdk/conformance"
)

const pluginUsage = "usage: ehrazctl plugin check PATH | plugin pin [-name NAME] [-kinds K,K | -info] PATH\n" +
	"       ehrazctl plugin sign -key KEY [-name NAME] [-kinds K,K] [-version V] [-capabilities C,C] [-info] PATH\n" +
	"       ehrazctl plugin keygen -out BASE   (writes BASE.key and BASE.pub)"

// pluginCommand looks after detector plugin binaries: `ehrazctl plugin check PATH` runs the
// conformance kit against one; `ehrazctl plugin pin PATH` writes its manifest (see detect.Pin).
func pluginCommand() command {
	return command{
		name:    "plugin",
		summary: "plugin check PATH: conformance kit on a binary; plugin sign -key K PATH: write its signed manifest; plugin keygen; plugin pin",
		run: func(ctx context.Context, e *env, args []string) int {
			switch {
			case len(args) == 2 && args[0] == "check":
				return pluginCheck(ctx, e, args[1])
			case len(args) >= 1 && args[0] == "pin":
				return pluginPin(ctx, e, args[1:])
			case len(args) >= 1 && args[0] == "sign":
				return pluginSign(ctx, e, args[1:])
			case len(args) >= 1 && args[0] == "keygen":
				return pluginKeygen(e, args[1:])
			}
			fmt.Fprintln(e.stderr, pluginUsage)
			return exitUsage
		},
	}
}

func pluginCheck(ctx context.Context, e *env, path string) int {
	r, stop, err := conformance.Start(path, e.stderr)
	if err != nil {
		fmt.Fprintf(e.stderr, "plugin check: %v\n", err)
		return exitInvalid
	}
	defer stop()
	rep := conformance.Check(ctx, r)
	fmt.Fprintf(e.stdout, "plugin %s %s by %s, protocol v%d, kinds %v, capabilities %v\n",
		rep.Info.Name, rep.Info.Version, rep.Info.Vendor, rep.Info.ProtocolVersion, rep.Info.Kinds, rep.Info.Capabilities)
	for _, x := range rep.Results {
		mark := "PASS"
		// A rule the kit could not run (an optional feature absent, test data missing) is not a pass.
		unverified := x.OK && strings.HasPrefix(x.Detail, conformance.CouldNotVerify)
		switch {
		case !x.OK:
			mark = "FAIL"
		case unverified:
			mark = "NOT VERIFIED"
		}
		fmt.Fprintf(e.stdout, "%s  %s", mark, x.Rule)
		if !x.OK || unverified {
			fmt.Fprintf(e.stdout, "  (%s)", x.Detail)
		}
		fmt.Fprintln(e.stdout)
	}
	for m, l := range rep.Latency {
		fmt.Fprintf(e.stdout, "latency %-15s p50 %v  p95 %v\n", m, l[0], l[1])
	}
	texts := textResults(e, path, rep.Keys)
	for _, x := range texts {
		mark := "PASS"
		if !x.OK {
			mark = "FAIL"
			rep.Failures++
		}
		fmt.Fprintf(e.stdout, "%s  %s  (%s)\n", mark, x.Rule, x.Detail)
	}
	fmt.Fprintf(e.stdout, "%d rules, %d failed\n", len(rep.Results)+len(texts), rep.Failures)
	if rep.Failures > 0 {
		return exitInvalid
	}
	return exitOK
}

// textResults checks that every key the plugin emitted during the suite has fa and en text,
// in the kiosk's catalog or in the plugin's own texts (<name>.locales/{fa,en}.json beside it),
// and that the plugin does not redefine a kiosk key.
func textResults(e *env, path string, keys []string) []conformance.Result {
	name := filepath.Base(path)
	texts, err := detect.LoadTexts(filepath.Dir(path), name)
	if err != nil {
		return []conformance.Result{{Rule: "texts.files", OK: false, Detail: err.Error()}}
	}
	kiosk := func(k string) bool {
		for _, lang := range detect.TextLangs {
			if !e.cat.Has(lang, k) {
				return false
			}
		}
		return true
	}
	var out []conformance.Result
	for _, k := range keys {
		switch _, own := texts[detect.TextLangs[0]][k]; {
		case kiosk(k):
			out = append(out, conformance.Result{Rule: "text." + k, OK: true, Detail: "kiosk catalog"})
		case own:
			out = append(out, conformance.Result{Rule: "text." + k, OK: true, Detail: "plugin texts " + detect.TextsDir(".", name)})
		default:
			out = append(out, conformance.Result{Rule: "text." + k, OK: false,
				Detail: "no fa and en text: the kiosk would show the raw key; add it to " + detect.TextsDir(filepath.Dir(path), name)})
		}
	}
	for _, k := range texts.Keys() {
		if e.cat.Has(detect.TextLangs[0], k) || e.cat.Has(detect.TextLangs[1], k) {
			out = append(out, conformance.Result{Rule: "text.redefined." + k, OK: false, Detail: "the kiosk's catalog already defines it"})
		}
	}
	return out
}

// pluginPin hashes the binary at PATH and writes PATH's folder/<name>.json, the manifest the
// kiosk's plugin host reads. The name defaults to the binary's file name and the kinds to the
// name (bin/plugins/face serves kind face); -info asks the plugin itself, over the protocol,
// which kinds it serves (this starts it, so its models must be in place).
func pluginPin(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("plugin pin", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	name := fs.String("name", "", "plugin name, also the manifest's file name (default: the binary's file name)")
	kinds := fs.String("kinds", "", "comma-separated kinds it serves: face, liveness, signature (default: the name)")
	info := fs.Bool("info", false, "ask the plugin for its kinds (starts it)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || (*info && *kinds != "") {
		fmt.Fprintln(e.stderr, pluginUsage)
		return exitUsage
	}
	path := fs.Arg(0)
	if *name == "" {
		*name = filepath.Base(path)
	}
	ks := []sdk.Kind{sdk.Kind(*name)}
	switch {
	case *info:
		r, stop, err := conformance.Start(path, e.stderr)
		if err != nil {
			fmt.Fprintf(e.stderr, "plugin pin: %v\n", err)
			return exitInvalid
		}
		i, err := r.Info(ctx)
		stop()
		if err != nil {
			fmt.Fprintf(e.stderr, "plugin pin: Info: %v\n", err)
			return exitInvalid
		}
		ks = i.Kinds
	case *kinds != "":
		ks = nil
		for _, k := range strings.Split(*kinds, ",") {
			ks = append(ks, sdk.Kind(strings.TrimSpace(k)))
		}
	}
	m, err := detect.Pin(path, *name, ks)
	if err != nil {
		fmt.Fprintf(e.stderr, "plugin pin: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "pinned plugin %s (kinds %v): %s sha256 %s\n", m.Name, m.Kinds, m.Binary, m.SHA256)
	return exitOK
}

// pluginSign hashes the binary at PATH and writes its manifest signed with the Ed25519 key KEY
// (PKCS #8 PEM, as `plugin keygen` or `openssl genpkey -algorithm ed25519` writes it). -info
// asks the plugin itself for its kinds, version and capabilities (this starts it); otherwise
// they come from the flags, kinds defaulting to the name.
func pluginSign(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("plugin sign", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	key := fs.String("key", "", "Ed25519 private key (PEM)")
	name := fs.String("name", "", "plugin name, also the manifest's file name (default: the binary's file name)")
	kinds := fs.String("kinds", "", "comma-separated kinds it serves (default: the name)")
	version := fs.String("version", "", "version the plugin must report")
	caps := fs.String("capabilities", "", "comma-separated capabilities it may claim (default: not restricted)")
	info := fs.Bool("info", false, "take kinds, version and capabilities from the plugin's Info (starts it)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 || *key == "" ||
		(*info && (*kinds != "" || *version != "" || *caps != "")) {
		fmt.Fprintln(e.stderr, pluginUsage)
		return exitUsage
	}
	path := fs.Arg(0)
	if *name == "" {
		*name = filepath.Base(path)
	}
	priv, err := detect.LoadPrivateKey(*key)
	if err != nil {
		fmt.Fprintf(e.stderr, "plugin sign: %v\n", err)
		return exitInvalid
	}
	ks := []sdk.Kind{sdk.Kind(*name)}
	if *kinds != "" {
		ks = nil
		for _, k := range splitList(*kinds) {
			ks = append(ks, sdk.Kind(k))
		}
	}
	manVersion, manCaps := *version, splitList(*caps)
	if *info {
		r, stop, err := conformance.Start(path, e.stderr)
		if err != nil {
			fmt.Fprintf(e.stderr, "plugin sign: %v\n", err)
			return exitInvalid
		}
		i, err := r.Info(ctx)
		stop()
		if err != nil {
			fmt.Fprintf(e.stderr, "plugin sign: Info: %v\n", err)
			return exitInvalid
		}
		ks, manVersion, manCaps = i.Kinds, i.Version, i.Capabilities
	}
	m, err := detect.NewManifest(path, *name, ks)
	if err != nil {
		fmt.Fprintf(e.stderr, "plugin sign: %v\n", err)
		return exitInvalid
	}
	m.Version, m.Capabilities = manVersion, manCaps
	if m, err = detect.SignFile(path, m, priv); err != nil {
		fmt.Fprintf(e.stderr, "plugin sign: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "signed plugin %s %s (kinds %v, capabilities %v) by key %s: %s sha256 %s\n",
		m.Name, m.Version, m.Kinds, m.Capabilities, m.Signer, m.Binary, m.SHA256)
	return exitOK
}

// pluginKeygen writes a new plugin signing key pair: BASE.key (keep it secret; the brokerage
// signs with it) and BASE.pub (the kiosk's [plugins] trusted_keys names it).
func pluginKeygen(e *env, args []string) int {
	fs := flag.NewFlagSet("plugin keygen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("out", "", "path of the key pair without extension")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *out == "" {
		fmt.Fprintln(e.stderr, pluginUsage)
		return exitUsage
	}
	pub, err := detect.GenerateKey(*out)
	if err != nil {
		fmt.Fprintf(e.stderr, "plugin keygen: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "plugin signing key %s: %s.key (secret), %s.pub (trusted by kiosks)\n", detect.KeyID(pub), *out, *out)
	return exitOK
}

// splitList splits a comma-separated flag; "" is no items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
