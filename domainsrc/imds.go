package domainsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/fdud/fdud/internal/cluster"
)

// IMDS defaults. Azure documents 410 during VM start for up to 70 s, and
// rate-limits IMDS to about 5 requests per second per VM.
const (
	DefaultIMDSEndpoint = "http://169.254.169.254"
	imdsComputePath     = "/metadata/instance/compute?api-version=2021-02-01"
	maxIMDSBody         = 256 << 10 // the compute document is a few KiB
)

// IMDSOptions tunes the Azure Instance Metadata Service client. Zero values
// take the defaults; tests shorten the waits.
type IMDSOptions struct {
	Endpoint      string        // base URL; "" means http://169.254.169.254
	Timeout       time.Duration // whole lookup, retries included; 0 means 90 s
	TryTimeout    time.Duration // one request; 0 means 5 s
	RetryDelay    time.Duration // first back-off; 0 means 1 s (Retry-After wins when sent)
	MaxRetryDelay time.Duration // back-off cap; 0 means 10 s
	MaxRetries    int32         // 0 means 12 (enough for the 410 window)
	GoneWindow    time.Duration // how long 410 Gone is retried; 0 means 70 s
	// Transport replaces the direct HTTP client (tests). The default never
	// uses a proxy: IMDS must be reached directly.
	Transport policy.Transporter
}

func (o IMDSOptions) withDefaults() IMDSOptions {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.Endpoint == "" {
		o.Endpoint = DefaultIMDSEndpoint
	}
	def(&o.Timeout, 90*time.Second)
	def(&o.TryTimeout, 5*time.Second)
	def(&o.RetryDelay, time.Second)
	def(&o.MaxRetryDelay, 10*time.Second)
	def(&o.GoneWindow, 70*time.Second)
	if o.MaxRetries <= 0 {
		o.MaxRetries = 12
	}
	if o.Transport == nil {
		o.Transport = directHTTP()
	}
	return o
}

// directHTTP is an HTTP client that ignores HTTP_PROXY and friends.
func directHTTP() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 nil, // never a proxy: IMDS answers only from the host
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConns:          1,
		DisableCompression:    true,
	}}
}

// imdsSource reads this VM's domain from Azure IMDS.
type imdsSource struct {
	deps Deps
	opts IMDSOptions
}

var _ Source = (*imdsSource)(nil)

func openIMDS(_ string, e *env) (Source, error) {
	if _, _, err := e.thisBrokerID(); err != nil {
		return nil, fmt.Errorf("imds: %w", err)
	}
	return &imdsSource{deps: e.Deps, opts: e.IMDS.withDefaults()}, nil
}

func (s *imdsSource) Name() string { return "imds" }

func (s *imdsSource) Domains(ctx context.Context) (cluster.Domains, error) {
	if err := ctx.Err(); err != nil {
		return cluster.Domains{}, fmt.Errorf("imds: %w", err)
	}
	id, _, err := s.deps.thisBrokerID()
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("imds: %w", err)
	}
	data, err := fetchIMDS(ctx, s.opts)
	if err != nil {
		return cluster.Domains{}, err
	}
	b, err := ParseIMDSCompute(data)
	if err != nil {
		return cluster.Domains{}, fmt.Errorf("imds (broker %d): %w", id, err)
	}
	b.ID = id
	return cluster.Domains{Version: 1, Brokers: []cluster.BrokerDomain{b}}, nil
}

// fetchIMDS gets the compute document through an azcore pipeline: retries
// with back-off on transport errors, 404, 408, 429 and 5xx, and on 410 for
// GoneWindow; each try bounded by TryTimeout, the whole by Timeout.
func fetchIMDS(ctx context.Context, o IMDSOptions) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	start := time.Now()
	var tries atomic.Int32
	pl := runtime.NewPipeline("fdud", "v1", runtime.PipelineOptions{}, &policy.ClientOptions{
		Retry: policy.RetryOptions{
			MaxRetries: o.MaxRetries, TryTimeout: o.TryTimeout,
			RetryDelay: o.RetryDelay, MaxRetryDelay: o.MaxRetryDelay,
			ShouldRetry: func(resp *http.Response, err error) bool {
				if err != nil {
					return true // refused, reset or the try timed out; Timeout bounds the whole
				}
				switch c := resp.StatusCode; {
				case c == http.StatusGone:
					return time.Since(start) < o.GoneWindow
				case c == http.StatusNotFound, c == http.StatusRequestTimeout, c == http.StatusTooManyRequests, c >= 500:
					return true
				}
				return false
			},
		},
		Telemetry:        policy.TelemetryOptions{Disabled: true},
		Transport:        limitTransport{next: o.Transport, max: maxIMDSBody},
		PerRetryPolicies: []policy.Policy{countTries{&tries}},
	})
	url := strings.TrimRight(o.Endpoint, "/") + imdsComputePath
	req, err := runtime.NewRequest(ctx, http.MethodGet, url)
	if err != nil {
		return nil, cluster.Invalidf("imds endpoint %q: %w", o.Endpoint, err)
	}
	req.Raw().Header.Set("Metadata", "true")
	runtime.SkipBodyDownload(req) // read below, bounded
	resp, err := pl.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (no usable answer within %s)", ctx.Err(), o.Timeout)
		}
		return nil, fmt.Errorf("imds %s: %d tries: %w", o.Endpoint, tries.Load(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("imds %s: read answer: %w", o.Endpoint, err)
	}
	if len(body) > maxIMDSBody {
		return nil, fmt.Errorf("imds %s: answer larger than %d KiB; is the endpoint IMDS?", o.Endpoint, maxIMDSBody>>10)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("imds %s: %s after %d tries: %s", o.Endpoint, resp.Status, tries.Load(), excerpt(body))
	}
	return body, nil
}

// ParseIMDSCompute reads the domain from IMDS's compute document. The
// values are strings ("platformFaultDomain":"1"); a missing, empty or
// negative one is an error, since no spread can be derived from a guess.
func ParseIMDSCompute(data []byte) (cluster.BrokerDomain, error) {
	var c struct {
		Name                 string          `json:"name"`
		PlatformFaultDomain  json.RawMessage `json:"platformFaultDomain"`
		PlatformUpdateDomain json.RawMessage `json:"platformUpdateDomain"`
		Zone                 string          `json:"zone"`
		VMScaleSetName       string          `json:"vmScaleSetName"`
		OSProfile            struct {
			ComputerName string `json:"computerName"`
		} `json:"osProfile"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return cluster.BrokerDomain{}, fmt.Errorf("IMDS answer is not the compute JSON (%v): %s", err, excerpt(data))
	}
	var b cluster.BrokerDomain
	var err error
	hint := ""
	if c.VMScaleSetName != "" {
		hint = fmt.Sprintf(" (VM of scale set %q: flexible and zonal scale sets do not expose fault and update domains; use zones, or another source)",
			c.VMScaleSetName)
	}
	if b.FaultDomain, err = jsonDomainNumber(c.PlatformFaultDomain); err != nil {
		return cluster.BrokerDomain{}, cluster.Invalidf("IMDS platformFaultDomain: %w%s", err, hint)
	}
	if b.UpdateDomain, err = jsonDomainNumber(c.PlatformUpdateDomain); err != nil {
		return cluster.BrokerDomain{}, cluster.Invalidf("IMDS platformUpdateDomain: %w%s", err, hint)
	}
	b.Zone = c.Zone
	b.Host = c.OSProfile.ComputerName
	if b.Host == "" {
		b.Host = c.Name
	}
	return b, nil
}

func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 200 {
		return fmt.Sprintf("%q...", b[:200])
	}
	return fmt.Sprintf("%q", b)
}

// limitTransport hands on at most max+1 bytes of each body, so an endless
// answer costs bounded memory (azcore reads error bodies in full).
type limitTransport struct {
	next policy.Transporter
	max  int64
}

func (t limitTransport) Do(r *http.Request) (*http.Response, error) {
	resp, err := t.next.Do(r)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = limitedBody{Reader: io.LimitReader(resp.Body, t.max+1), Closer: resp.Body}
	return resp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// countTries counts requests sent, for error messages.
type countTries struct{ n *atomic.Int32 }

func (c countTries) Do(req *policy.Request) (*http.Response, error) {
	c.n.Add(1)
	return req.Next()
}
