package collection

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/collectorstash/csm/catalog"
)

// MaxBatchItems bounds one POST /collection/add-batch (a scan session
// holds at most catalog.MaxScanSessionCards photos).
const MaxBatchItems = catalog.MaxScanSessionCards

// BatchAddRequest is the body of POST /collection/add-batch: the cards a
// scan session's review screen confirmed, each an add request.
type BatchAddRequest struct {
	Items []AddRequest `json:"items"`
	// ScanSessionID only labels where the cards come from.
	ScanSessionID string `json:"scan_session_id,omitempty"`
}

// BatchAddResult answers a batch add: the entries written, the copies
// they hold, and for a bulk batch the scans left out.
type BatchAddResult struct {
	Added   int           `json:"added"`
	Cards   int           `json:"cards"`
	Skipped []SkippedScan `json:"skipped"`
}

// SkippedScan is a bulk scan that added nothing, with the reason.
type SkippedScan struct {
	Index  int    `json:"index"`
	ScanID string `json:"scan_id"`
	Reason string `json:"reason"`
}

// BatchScan is one scan of a user's bulk batch as the collection reads
// it: its status, result and the card its owner confirmed (feedback).
type BatchScan struct {
	Index     int
	ScanID    string
	Status    catalog.ScanStatus
	Result    *catalog.ScanResult
	Confirmed int64 // latest confirmed card (POST /api/cards/recognize/feedback), 0 = none
}

// BatchScanStore reads a user's bulk batch.
type BatchScanStore interface {
	// CollectionBatchScans lists the scans of the user's batch in
	// submission order; ENOTFOUND when it is absent or another user's.
	CollectionBatchScans(ctx context.Context, userID int64, batchID string) ([]BatchScan, error)
}

// Reasons a bulk scan adds nothing.
const (
	SkipNotFinished = "not finished"
	SkipFailed      = "recognition failed"
	SkipNoCandidate = "no card recognised"
)

// itemErr is the 422 of a bad batch item: its loc names the item.
func itemErr(fe catalog.FieldError, i int) error {
	loc := append([]string{"body", "items", strconv.Itoa(i)}, fe.Loc[1:]...)
	msg := "items[" + strconv.Itoa(i) + "]." + fe.Loc[len(fe.Loc)-1] + ": " + fe.Msg
	return &catalog.Error{Code: catalog.EVALIDATION, Message: msg,
		Fields: []catalog.FieldError{{Loc: loc, Msg: fe.Msg, Type: fe.Type}}}
}

// AddBatch adds every item to the user's collection, all or nothing: a
// bad item (field, unknown card, unknown variant) is a 422 naming it and
// nothing is written.
func (s *Service) AddBatch(ctx context.Context, userID int64, r BatchAddRequest) (BatchAddResult, error) {
	var f fieldErrs
	if len(r.Items) == 0 {
		f.add("items", "field required (at least one item)", "value_error.missing")
	} else if len(r.Items) > MaxBatchItems {
		f.add("items", fmt.Sprintf("ensure this value has at most %d items", MaxBatchItems), "value_error.list.max_items")
	}
	if err := f.err(); err != nil {
		return BatchAddResult{}, err
	}
	ins := make([]EntryInput, len(r.Items))
	for i, it := range r.Items {
		var fe fieldErrs
		in, _ := s.checkAdd(&fe, it)
		if len(fe) > 0 {
			return BatchAddResult{}, itemErr(fe[0], i)
		}
		ins[i] = in
	}
	res, err := s.addInputs(ctx, userID, ins)
	if err != nil {
		return BatchAddResult{}, err
	}
	res.Skipped = []SkippedScan{}
	return res, nil
}

// addInputs resolves the inputs' cards and variants and writes them in
// one transaction; an unknown card or variant is a 422 naming the item.
func (s *Service) addInputs(ctx context.Context, userID int64, ins []EntryInput) (BatchAddResult, error) {
	ids := make([]int64, len(ins))
	for i, in := range ins {
		ids[i] = in.CardID
	}
	byID, err := s.store.CollectionCardsByID(ctx, ids)
	if err != nil {
		return BatchAddResult{}, fmt.Errorf("add batch: %w", err)
	}
	total := 0
	for i := range ins {
		info, ok := byID[ins[i].CardID]
		if !ok {
			return BatchAddResult{}, itemErr(catalog.FieldError{Loc: []string{"body", "card_id"},
				Msg: "card " + strconv.FormatInt(ins[i].CardID, 10) + " is not in the catalogue", Type: "value_error.card_id"}, i)
		}
		if err := resolveVariant(&ins[i], info); err != nil {
			var ce *catalog.Error
			if errors.As(err, &ce) && len(ce.Fields) > 0 {
				return BatchAddResult{}, itemErr(ce.Fields[0], i)
			}
			return BatchAddResult{}, err
		}
		total += ins[i].Quantity
	}
	if err := s.store.AddCollectionEntries(ctx, userID, ins); err != nil {
		return BatchAddResult{}, fmt.Errorf("add batch: %w", err)
	}
	return BatchAddResult{Added: len(ins), Cards: total}, nil
}

// AddFromBulkBatch adds a bulk batch's confirmed results to its owner's
// collection (one copy, NM, per scan), all or nothing. A scan's card is
// the one its owner confirmed through feedback when there is one, else
// its top candidate; unfinished, failed and unrecognised scans are
// skipped and listed. Another user's batch is ENOTFOUND; a batch with no
// card to add is a 422.
func (s *Service) AddFromBulkBatch(ctx context.Context, userID int64, batchID string) (BatchAddResult, error) {
	scans, err := s.store.CollectionBatchScans(ctx, userID, batchID)
	if err != nil {
		return BatchAddResult{}, err
	}
	var ins []EntryInput
	skipped := []SkippedScan{}
	for _, sc := range scans {
		card := sc.Confirmed
		reason := ""
		switch {
		case card != 0:
		case sc.Status == catalog.ScanFailed:
			reason = SkipFailed
		case sc.Status != catalog.ScanDone:
			reason = SkipNotFinished
		case sc.Result == nil || len(sc.Result.Candidates) == 0:
			reason = SkipNoCandidate
		default:
			card = sc.Result.Candidates[0].CardID
		}
		if reason != "" {
			skipped = append(skipped, SkippedScan{Index: sc.Index, ScanID: sc.ScanID, Reason: reason})
			continue
		}
		ins = append(ins, EntryInput{CardID: card, Quantity: 1, Condition: NearMint})
	}
	if len(ins) == 0 {
		return BatchAddResult{}, catalog.Validation([]string{"path", "batch_id"}, "no finished scan with a recognised card in this batch", "value_error")
	}
	res, err := s.addInputs(ctx, userID, ins)
	if err != nil {
		return BatchAddResult{}, err
	}
	res.Skipped = skipped
	return res, nil
}
