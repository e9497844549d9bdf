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

// Run is `fdud domains`: gather the sources, publish this broker's domain
// when asked, then write the grid and warnings to stderr and the domains
// JSON to stdout. stdout is written only after everything else succeeded.
// When the published value changed, the error wraps cluster.ErrChanged
// (the document is still written: the run succeeded).
func Run(ctx context.Context, o Options, deps Deps, stdout, stderr io.Writer) error {
	res, err := Gather(ctx, o.Sources, deps)
	if err != nil {
		return err
	}
	var outcome error
	var published string
	if o.Publish != "" {
		b, err := Publish(ctx, o.Publish, res.Domains, deps)
		switch {
		case errors.Is(err, cluster.ErrChanged):
			outcome = err
			published = fmt.Sprintf("published broker %d as %s to %s: changed", b.ID, b.Domain(), o.Publish)
		case err != nil:
			return err
		default:
			published = fmt.Sprintf("published broker %d as %s to %s: unchanged", b.ID, b.Domain(), o.Publish)
		}
	}
	var doc bytes.Buffer
	if err := cluster.WriteDomains(&doc, res.Domains); err != nil {
		return err
	}
	var report bytes.Buffer
	RenderGrid(&report, res.Domains)
	for _, w := range res.Warnings {
		fmt.Fprintf(&report, "warning: %s\n", w)
	}
	if published != "" {
		fmt.Fprintln(&report, published)
	}
	if _, err := stderr.Write(report.Bytes()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if _, err := stdout.Write(doc.Bytes()); err != nil {
		return fmt.Errorf("write domains JSON: %w", err)
	}
	return outcome
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
