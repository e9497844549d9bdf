// Package verify checks a reassignment plan against a live cluster: which
// partitions have reached their planned replicas, which are still moving and
// which ended elsewhere; and, given the brokers' Azure domains, whether the
// replicas are spread so that losing one fault domain, update domain or zone
// takes no partition offline or below its min.insync.replicas.
//
// The core (Classify, Assess, WhatIf, RenderMetrics, the text and JSON
// reports) is pure; Run adds the polling loop, the throttle clean-up (under
// the cluster lock execute holds, through Deps.Lock) and the preferred leader
// election around it.
package verify
