package compat

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fdud/fdud/internal/cluster"
)

// The placement Kafka's own --generate follows, as fault and update domains
// fdud's planner understands, and the wording that goes with it.

// KafkaWording rewrites the planner's messages about the domains
// KafkaDomains makes up: fault domains are racks (or brokers) and update
// domains are brokers, so "2 replicas in FD0" reads "2 replicas in rack
// "r1"" and no FD or UD that does not exist is named.
func KafkaWording(brokers []cluster.Broker, brokerList []int32, disableRackAware bool) func(string) string {
	racks, _ := racksOf(brokers, brokerList)
	byRack := len(racks) > 0 && !disableRackAware
	fdWord, fdShort := "broker", "broker"
	if byRack {
		fdWord, fdShort = "rack", "rack"
	}
	fdValue := regexp.MustCompile(`\bFD(\d+)\b`)
	udValue := regexp.MustCompile(`\bUD(\d+)\b`)
	words := strings.NewReplacer(
		"fault domains", fdWord+"s", "fault domain", fdWord,
		"update domains", "brokers", "update domain", "broker",
		"FD x UD cells", fdWord+"s", "per FD", "per "+fdShort, "per UD", "per broker")
	return func(s string) string {
		s = fdValue.ReplaceAllStringFunc(s, func(v string) string {
			n, _ := strconv.Atoi(v[2:])
			if byRack && n < len(racks) {
				return fmt.Sprintf("rack %q", racks[n])
			}
			return "broker " + v[2:]
		})
		s = udValue.ReplaceAllString(s, "broker $1")
		// "fault domain FD5" became "broker broker 5".
		return strings.NewReplacer("broker broker ", "broker ", "rack rack ", "rack ").Replace(words.Replace(s))
	}
}

// Reworded is err with its message rewritten by words; errors.Is and As
// still see err.
func Reworded(err error, words func(string) string) error {
	if err == nil {
		return nil
	}
	return &rewordedError{msg: words(err.Error()), err: err}
}

type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }

// KafkaDomains gives the placement Kafka's own --generate would follow when
// fdud knows no FD/UD: each broker.rack is a fault domain and each broker its
// own update domain, so replicas spread over racks as evenly as possible;
// with --disable-rack-aware, or when no broker has a rack, each broker is a
// domain of its own. Like Kafka, it refuses racks on only some of the
// brokers that may hold replicas (brokerList, or every broker when empty).
// Only those brokers get a domain: Kafka's tool places over --broker-list
// alone, so a rack (or broker) outside it must not count in the rules, or
// every plan would need a replica where none may go.
func KafkaDomains(brokers []cluster.Broker, brokerList []int32, disableRackAware bool) (map[int32]cluster.Domain, string, error) {
	racks, missing := racksOf(brokers, brokerList)
	m := make(map[int32]cluster.Domain, len(brokers))
	if disableRackAware || len(racks) == 0 {
		for _, b := range brokers {
			if inList(b.ID, brokerList) {
				m[b.ID] = cluster.Domain{FaultDomain: int(b.ID), UpdateDomain: int(b.ID)}
			}
		}
		why := "no broker has broker.rack"
		if disableRackAware {
			why = "--disable-rack-aware"
		}
		return m, why + ", so the plan only spreads replicas over distinct brokers of --broker-list, as Kafka's tool does", nil
	}
	if len(missing) > 0 {
		return nil, "", cluster.Invalidf("Not all brokers have rack information (none on brokers %s). "+
			"Add --disable-rack-aware in command line to make replica assignment without rack information.", strings.Join(missing, ", "))
	}
	for _, b := range brokers {
		if inList(b.ID, brokerList) {
			m[b.ID] = cluster.Domain{FaultDomain: slices.Index(racks, b.Rack), UpdateDomain: int(b.ID)}
		}
	}
	return m, fmt.Sprintf("each broker.rack (%s) counts as a fault domain, so replicas spread over racks as Kafka's rack-aware tool does", strings.Join(racks, ", ")), nil
}

// racksOf returns the racks of the brokers that may hold replicas
// (brokerList, or every broker when empty), sorted, and those of them
// without a rack.
func racksOf(brokers []cluster.Broker, brokerList []int32) (racks, missing []string) {
	for _, b := range brokers {
		switch {
		case !inList(b.ID, brokerList):
		case b.Rack == "":
			missing = append(missing, fmt.Sprint(b.ID))
		case !slices.Contains(racks, b.Rack):
			racks = append(racks, b.Rack)
		}
	}
	slices.Sort(racks)
	return racks, missing
}

// inList reports whether broker id may hold replicas: it is in brokerList,
// or brokerList is empty.
func inList(id int32, brokerList []int32) bool {
	return len(brokerList) == 0 || slices.Contains(brokerList, id)
}
