package kafka

import (
	"context"
	"fmt"
	"strings"

	"github.com/IBM/sarama"
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
