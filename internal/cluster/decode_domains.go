package cluster

import (
	"encoding/json"
	"fmt"

	"github.com/fdud/fdud/schemas"
)

// DecodeDomains decodes fdud's domains JSON, checked against
// schemas/domains.schema.json, the way DecodeReassignment decodes plans: a
// fast path checks the schema's rules in Go (a thousand brokers took the
// validator tens of milliseconds), and the validator explains a document
// the fast path rejects.
func DecodeDomains(doc []byte) (Domains, error) {
	if d, ok := decodeDomains(doc); ok {
		return d, nil
	}
	if err := schemas.Validate(schemas.Domains, doc); err != nil {
		return Domains{}, err
	}
	// Only reached if the fast path wrongly rejected doc.
	var d Domains
	if err := json.Unmarshal(doc, &d); err != nil {
		return Domains{}, fmt.Errorf("domains JSON: %w", err)
	}
	d.Version = 1
	return d, nil
}

// decodeDomains is the fast path: ok is false unless doc is JSON that the
// domains schema accepts. The last of repeated members counts.
func decodeDomains(doc []byte) (d Domains, ok bool) {
	s := &scanner{data: doc}
	if !s.open('{') {
		return d, false
	}
	var brokers []BrokerDomain
	valid, haveBrokers := true, false
	// Whether each member is valid, by name; the last occurrence counts.
	versionOK, brokersOK := true, false
	for more := s.first('}'); more; {
		raw, plain, ok := s.key()
		if !ok {
			return d, false
		}
		switch {
		case isKey(raw, plain, "version"):
			var v int32
			v, versionOK, ok = readID(s)
			versionOK = versionOK && v == 1
		case isKey(raw, plain, "brokers"):
			haveBrokers = true
			brokers, brokersOK, ok = domainBrokers(s)
		default:
			valid = false // additionalProperties: false
			ok = s.skip()
		}
		if !ok {
			return d, false
		}
		if more, ok = s.next('}'); !ok {
			return d, false
		}
	}
	if !s.end() || !valid || !haveBrokers || !brokersOK || !versionOK {
		return d, false
	}
	return Domains{Version: 1, Brokers: brokers}, true
}

// readID reads an integer between 0 and 2147483647; any other value is
// scanned and reported invalid.
func readID(s *scanner) (v int32, valid, ok bool) {
	if c := s.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, false, s.skip()
	}
	lit, ok := s.num()
	if !ok {
		return 0, false, false
	}
	v, valid = int32Value(lit)
	return v, valid, true
}

// domainBrokers reads the value of "brokers".
func domainBrokers(s *scanner) (bs []BrokerDomain, valid, ok bool) {
	if s.peek() != '[' {
		return nil, false, s.skip()
	}
	if !s.open('[') {
		return nil, false, false
	}
	bs, valid = []BrokerDomain{}, true
	for more := s.first(']'); more; {
		if s.peek() != '{' {
			valid = false
			if !s.skip() {
				return nil, false, false
			}
		} else {
			b, bValid, ok := domainBroker(s)
			if !ok {
				return nil, false, false
			}
			valid = valid && bValid
			bs = append(bs, b)
		}
		if more, ok = s.next(']'); !ok {
			return nil, false, false
		}
	}
	return bs, valid, true
}

// domainBroker reads one broker object.
func domainBroker(s *scanner) (b BrokerDomain, valid, ok bool) {
	if !s.open('{') {
		return b, false, false
	}
	var haveID, haveFD, haveUD bool
	idOK, fdOK, udOK, zoneOK, hostOK, known := false, false, false, true, true, true
	for more := s.first('}'); more; {
		raw, plain, ok := s.key()
		if !ok {
			return b, false, false
		}
		var v int32
		switch {
		case isKey(raw, plain, "id"):
			haveID = true
			b.ID, idOK, ok = readID(s)
		case isKey(raw, plain, "fault_domain"):
			haveFD = true
			v, fdOK, ok = readID(s)
			b.FaultDomain, fdOK = int(v), fdOK && v <= 1000
		case isKey(raw, plain, "update_domain"):
			haveUD = true
			v, udOK, ok = readID(s)
			b.UpdateDomain, udOK = int(v), udOK && v <= 1000
		case isKey(raw, plain, "zone"):
			b.Zone, zoneOK, ok = readString(s)
		case isKey(raw, plain, "host"):
			b.Host, hostOK, ok = readString(s)
		default:
			known = false // additionalProperties: false
			ok = s.skip()
		}
		if !ok {
			return b, false, false
		}
		if more, ok = s.next('}'); !ok {
			return b, false, false
		}
	}
	valid = haveID && idOK && haveFD && fdOK && haveUD && udOK && zoneOK && hostOK && known
	return b, valid, true
}

// readString reads a string; any other value is scanned and reported invalid.
func readString(s *scanner) (v string, valid, ok bool) {
	if s.peek() != '"' {
		return "", false, s.skip()
	}
	raw, plain, ok := s.str()
	if !ok {
		return "", false, false
	}
	return text(raw, plain), true, true
}
