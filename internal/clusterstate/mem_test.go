package clusterstate_test

import (
	"testing"

	"github.com/fdud/fdud/internal/clusterstate"
)

func TestMemTopic(t *testing.T) {
	m := clusterstate.NewMemTopic()
	runSuite(t, m, m)
}
