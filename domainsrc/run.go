package domainsrc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fdud/fdud/internal/cluster"
)

// Options is what `fdud domains` does.
type Options struct {
	Sources []string // specs, merged in order (later wins per broker)
	Publish string   // spec of a Publisher (zk:...) to store this broker's domain in; "" for none
}

// Outcome is what `fdud domains` found and did, for the front end to
// render (Write).
type Outcome struct {
	Result
	// Published says what --publish did; "" without it.
	Published string
}

// Run is `fdud domains`: gather the sources and publish this broker's
// domain when asked. When the published value changed, the error wraps
// cluster.ErrChanged and the outcome is complete (the run succeeded).
func Run(ctx context.Context, o Options, deps Deps) (Outcome, error) {
	res, err := Gather(ctx, o.Sources, deps)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Result: res}
	if o.Publish == "" {
		return out, nil
	}
	b, err := Publish(ctx, o.Publish, res.Domains, deps)
	switch {
	case errors.Is(err, cluster.ErrChanged):
		out.Published = fmt.Sprintf("published broker %d as %s to %s: changed", b.ID, b.Domain(), o.Publish)
		return out, err
	case err != nil:
		return Outcome{}, err
	}
	out.Published = fmt.Sprintf("published broker %d as %s to %s: unchanged", b.ID, b.Domain(), o.Publish)
	return out, nil
}

// Write renders an outcome: the grid, the warnings and what --publish did
// on stderr, then the domains JSON on stdout, written only once the rest
// was.
func Write(stdout, stderr io.Writer, out Outcome) error {
	var doc bytes.Buffer
	if err := cluster.WriteDomains(&doc, out.Domains); err != nil {
		return err
	}
	var report bytes.Buffer
	RenderGrid(&report, out.Domains)
	for _, w := range out.Warnings {
		fmt.Fprintf(&report, "warning: %s\n", w)
	}
	if out.Published != "" {
		fmt.Fprintln(&report, out.Published)
	}
	if _, err := stderr.Write(report.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := stdout.Write(doc.Bytes()); err != nil {
		return fmt.Errorf("write domains JSON: %w", err)
	}
	return nil
}

// Publish stores this broker's entry of d through the source spec names
// (which must be a Publisher: zk:...). This broker is the one named by
// deps (BrokerID, MetaProperties, ServerProperties), or the only entry of d.
// It returns the entry, and an error wrapping cluster.ErrChanged when the
// stored value changed; nil when it already held the entry.
func Publish(ctx context.Context, spec string, d cluster.Domains, deps Deps) (cluster.BrokerDomain, error) {
	var warnings []string
	s, err := open(spec, &env{Deps: deps, warnings: &warnings})
	if err != nil {
		return cluster.BrokerDomain{}, err
	}
	p, ok := s.(Publisher)
	if !ok {
		return cluster.BrokerDomain{}, cluster.Invalidf("--publish %s: %s cannot store domains; use zk:HOST:PORT[/chroot] or kafka", spec, s.Name())
	}
	b, err := thisBroker(d, deps)
	if err != nil {
		return cluster.BrokerDomain{}, fmt.Errorf("--publish: %w", err)
	}
	changed, err := p.Publish(ctx, b)
	if err != nil {
		return b, err
	}
	if changed {
		return b, fmt.Errorf("broker %d is now %s in %s: %w", b.ID, b.Domain(), s.Name(), cluster.ErrChanged)
	}
	return b, nil
}

// thisBroker picks the entry to publish.
func thisBroker(d cluster.Domains, deps Deps) (cluster.BrokerDomain, error) {
	id, from, err := deps.thisBrokerID()
	switch {
	case err == nil:
		b, ok := d.Lookup(id)
		if !ok {
			return cluster.BrokerDomain{}, cluster.Invalidf("the sources give no domain for broker %d (from %s)", id, from)
		}
		return b, nil
	case !errors.Is(err, errNoBrokerID):
		return cluster.BrokerDomain{}, err
	case len(d.Brokers) == 1:
		return d.Brokers[0], nil
	}
	return cluster.BrokerDomain{}, cluster.Invalidf("the sources give %d brokers; name the one to publish with --broker-id", len(d.Brokers))
}
