// Generated, do not edit; run `subshift contracts generate`.
// Source: contracts/subjects.yaml

// Package topics holds every topic of contracts/subjects.yaml: names, subjects, modes, partitions.
package topics

// Topic is one topic of the manifest.
type Topic struct {
	Name              string
	Description       string
	KeyFormat         string
	KeyField          string
	ValueFormat       string
	ValueSubject      string
	Compatibility     string
	Partitions        int32
	ReplicationFactor int16
	RetentionMs       int64
	DeadLetterTopic   string
}

// DefaultCompatibility is the manifest's compatibility mode for subjects that name none.
const DefaultCompatibility = "BACKWARD_TRANSITIVE"

const (
	// UserOffersTopic is the name of the topic: One event per user per migration, keyed by user id.
	UserOffersTopic = "user-offers"
	// UserOffersValueSubject is the registry subject of user-offers's values.
	UserOffersValueSubject = "user-offers-value"
	// UserOffersDLTTopic is the name of the topic: Events of user-offers that can never be applied, with headers that say why.
	UserOffersDLTTopic = "user-offers.DLT"
)

// UserOffers describes user-offers.
func UserOffers() Topic {
	return Topic{
		Name:              UserOffersTopic,
		Description:       "One event per user per migration, keyed by user id.",
		KeyFormat:         "string",
		KeyField:          "user_id",
		ValueFormat:       "avro",
		ValueSubject:      UserOffersValueSubject,
		Compatibility:     "BACKWARD_TRANSITIVE",
		Partitions:        6,
		ReplicationFactor: 1,
		RetentionMs:       604800000,
		DeadLetterTopic:   "user-offers.DLT",
	}
}

// UserOffersDLT describes user-offers.DLT.
func UserOffersDLT() Topic {
	return Topic{
		Name:              UserOffersDLTTopic,
		Description:       "Events of user-offers that can never be applied, with headers that say why.",
		KeyFormat:         "bytes",
		KeyField:          "",
		ValueFormat:       "bytes",
		ValueSubject:      "",
		Compatibility:     "",
		Partitions:        6,
		ReplicationFactor: 1,
		RetentionMs:       2592000000,
		DeadLetterTopic:   "",
	}
}

// All returns every topic of the manifest, in its order.
func All() []Topic { return []Topic{UserOffers(), UserOffersDLT()} }
