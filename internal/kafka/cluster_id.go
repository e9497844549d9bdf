package kafka

import (
	"context"
	"fmt"
	"strings"

	"github.com/IBM/sarama"
)

// ClusterIDReader reads the cluster's id (Kafka 0.10.1 and later): the same
// from every broker, every access path and every machine, so it tells apart
// records fdud keeps for different clusters. Both of fdud's paths implement
// it; "" with no error means the cluster has none (Kafka before 0.10.1).
type ClusterIDReader interface {
	ClusterID(ctx context.Context) (string, error)
}

var (
	_ ClusterIDReader = (*adminCluster)(nil)
	_ ClusterIDReader = (*zkCluster)(nil)
)

// ClusterID asks for metadata of no topic; responses carry the id from
// version 2 on.
func (a *adminCluster) ClusterID(ctx context.Context) (string, error) {
	if !a.version.IsAtLeast(sarama.V0_10_1_0) {
		return "", nil // metadata before version 2 has no id
	}
	md, err := a.metadata(ctx, []string{})
	if err != nil {
		return "", fmt.Errorf("cluster id: %w", err)
	}
	if md.ClusterID == nil {
		return "", nil
	}
	return strings.TrimSpace(*md.ClusterID), nil
}

// ClusterID reads /cluster/id, which the first broker of the cluster writes.
func (z *zkCluster) ClusterID(ctx context.Context) (string, error) {
	var doc struct {
		ID string `json:"id"`
	}
	_, found, err := z.getJSON(ctx, "/cluster/id", &doc)
	if err != nil {
		return "", fmt.Errorf("cluster id: %w", err)
	}
	if !found {
		return "", nil
	}
	return strings.TrimSpace(doc.ID), nil
}
