package market

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/collectorstash/csm/catalog"
)

// ListingInput is the body of POST /seller/listings (and one Cardmarket
// row once parsed).
type ListingInput struct {
	CardID          *int64   `json:"card_id"`
	Price           *float64 `json:"price"`
	Condition       string   `json:"condition"`
	Quantity        *int     `json:"quantity"`
	Variant         string   `json:"variant"`
	Graded          bool     `json:"graded"`
	GradingCompany  *string  `json:"grading_company"`
	Grade           *float64 `json:"grade"`
	Description     string   `json:"description"`
	AcceptsOffers   bool     `json:"accepts_offers"`
	BuyNowEnabled   *bool    `json:"buy_now_enabled"`
	ImageURLs       []string `json:"image_urls"`
	ImageProtection bool     `json:"image_protection"`
	// Draft keeps the listing unpublished (the scan review's "create
	// listings" makes drafts the seller checks before publishing).
	Draft bool `json:"draft"`
}

// ListingEdit is the body of PATCH /seller/listings/{id}.
type ListingEdit struct {
	Price         *float64  `json:"price"`
	Condition     *string   `json:"condition"`
	Quantity      *int      `json:"quantity"`
	Variant       *string   `json:"variant"`
	Description   *string   `json:"description"`
	ImageURLs     *[]string `json:"image_urls"`
	AcceptsOffers *bool     `json:"accepts_offers"`
	BuyNowEnabled *bool     `json:"buy_now_enabled"`
	// Publish: true turns a draft into an active listing.
	Publish bool `json:"publish"`
}

// imageURLRE matches the URLs POST /api/upload/listing-image returns.
var imageURLRE = regexp.MustCompile(`^/static/listing_images/[0-9]{4}/[0-9]{2}/[a-z0-9]{16,64}\.webp$`)

// fieldErrs collects a body's validation failures.
type fieldErrs []catalog.FieldError

func (f *fieldErrs) add(field, msg, typ string) {
	*f = append(*f, catalog.FieldError{Loc: []string{"body", field}, Msg: msg, Type: typ})
}

func (f *fieldErrs) addErr(err error) {
	if e, ok := err.(*catalog.Error); ok && len(e.Fields) > 0 {
		*f = append(*f, e.Fields...)
	}
}

func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return &catalog.Error{Code: catalog.EVALIDATION, Message: f[0].Msg, Fields: f}
}

func validDescription(f *fieldErrs, d string) {
	if utf8.RuneCountInString(d) > MaxDescription {
		f.add("description", fmt.Sprintf("ensure this value has at most %d characters", MaxDescription), "value_error.any_str.max_length")
	}
}

func validImages(f *fieldErrs, urls []string) {
	if len(urls) > MaxImageURLs {
		f.add("image_urls", fmt.Sprintf("ensure this value has at most %d items", MaxImageURLs), "value_error.list.max_items")
		return
	}
	for _, u := range urls {
		if !imageURLRE.MatchString(u) {
			f.add("image_urls", "image URLs must come from /api/upload/listing-image", "value_error.url")
			return
		}
	}
}

func validQuantity(f *fieldErrs, q int) {
	if q < 1 || q > MaxQuantity {
		f.add("quantity", fmt.Sprintf("ensure this value is between 1 and %d", MaxQuantity), "value_error.number")
	}
}

func validCondition(f *fieldErrs, c string) Condition {
	cond := Condition(strings.ToUpper(strings.TrimSpace(c)))
	if !cond.Valid() {
		f.add("condition", "value is not a valid enumeration member; permitted: 'NM', 'LP', 'MP', 'HP', 'DMG'", "type_error.enum")
	}
	return cond
}

// validate checks a listing body and returns the listing to store (card
// still to be resolved).
func (in ListingInput) validate() (NewListing, error) {
	var f fieldErrs
	n := NewListing{Variant: strings.TrimSpace(in.Variant), Graded: in.Graded, Description: in.Description,
		AcceptsOffers: in.AcceptsOffers, BuyNowEnabled: true, ImageProtection: in.ImageProtection,
		ImageURLs: in.ImageURLs, Quantity: 1, Status: ListingActive, Source: "manual"}
	if in.CardID == nil {
		f.add("card_id", "field required", "value_error.missing")
	} else if *in.CardID <= 0 {
		f.add("card_id", "ensure this value is greater than 0", "value_error.number.not_gt")
	} else {
		n.CardID = *in.CardID
	}
	if in.Price == nil {
		f.add("price", "field required", "value_error.missing")
	} else if c, err := EUR("price", *in.Price); err != nil {
		f.addErr(err)
	} else {
		n.Price = c
	}
	if in.Condition == "" {
		f.add("condition", "field required", "value_error.missing")
	} else {
		n.Condition = validCondition(&f, in.Condition)
	}
	if in.Quantity != nil {
		n.Quantity = *in.Quantity
		validQuantity(&f, n.Quantity)
	}
	if len(n.Variant) > 100 {
		f.add("variant", "ensure this value has at most 100 characters", "value_error.any_str.max_length")
	}
	validDescription(&f, in.Description)
	validImages(&f, in.ImageURLs)
	if in.BuyNowEnabled != nil {
		n.BuyNowEnabled = *in.BuyNowEnabled
	}
	if in.GradingCompany != nil {
		g := strings.TrimSpace(*in.GradingCompany)
		if len(g) > 50 {
			f.add("grading_company", "ensure this value has at most 50 characters", "value_error.any_str.max_length")
		}
		if g != "" {
			n.GradingCompany = &g
		}
	}
	if in.Grade != nil {
		if *in.Grade < 0 || *in.Grade > 10 || *in.Grade != *in.Grade {
			f.add("grade", "ensure this value is between 0 and 10", "value_error.number")
		}
		n.Grade = in.Grade
	}
	if !in.Graded && (n.GradingCompany != nil || n.Grade != nil) {
		f.add("graded", "grading_company and grade need graded=true", "value_error")
	}
	if n.ImageURLs == nil {
		n.ImageURLs = []string{}
	}
	if in.Draft {
		n.Status = ListingDraft
	}
	return n, f.err()
}

// requireSeller is nil when userID has a verified e-mail address (when a
// Verifier is set) and a seller account.
func (s *Service) requireSeller(ctx context.Context, userID int64) error {
	if s.cfg.Verified != nil {
		ok, err := s.cfg.Verified.Verified(ctx, userID)
		if err != nil {
			return fmt.Errorf("seller check: %w", err)
		}
		if !ok {
			return catalog.Errorf(catalog.EFORBIDDEN, MsgVerifyEmail)
		}
	}
	_, err := s.cfg.Store.Seller(ctx, userID)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return catalog.Errorf(catalog.EFORBIDDEN, "A seller account is required: POST /seller/account first")
	}
	return err
}

// CreateListing lists a card for sale by sellerID (who must be a seller).
// The listing expires ListingTTL after creation and gets a verification
// code; listing_new is published on marketplace:new, card:<id> and
// tcg:<slug>.
func (s *Service) CreateListing(ctx context.Context, sellerID int64, in ListingInput) (Listing, error) {
	n, err := in.validate()
	if err != nil {
		return Listing{}, err
	}
	if err := s.requireSeller(ctx, sellerID); err != nil {
		return Listing{}, err
	}
	if _, err := s.cfg.Store.Card(ctx, n.CardID); err != nil {
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			return Listing{}, catalog.Validation([]string{"body", "card_id"}, "card not found", "value_error.card_id")
		}
		return Listing{}, fmt.Errorf("create listing: %w", err)
	}
	n.SellerID = sellerID
	out, err := s.createListings(ctx, []NewListing{n})
	if err != nil {
		return Listing{}, err
	}
	return out[0], nil
}

// createListings stamps times and codes, stores and announces listings.
func (s *Service) createListings(ctx context.Context, ns []NewListing) ([]Listing, error) {
	now := s.now()
	for i := range ns {
		code, err := newCode(s.cfg.Rand)
		if err != nil {
			return nil, fmt.Errorf("create listing: code: %w", err)
		}
		ns[i].VerificationCode = code
		ns[i].CreatedAt = now
		ns[i].ExpiresAt = now.Add(ListingTTL)
	}
	out, err := s.cfg.Store.CreateListings(ctx, ns)
	if err != nil {
		return nil, fmt.Errorf("create listing: %w", err)
	}
	var events []catalog.Event
	for _, l := range out {
		if l.Status == ListingActive {
			events = append(events, listingEvents(l)...)
		}
	}
	s.publish(ctx, events...)
	return out, nil
}

// ListingNew is the data of a listing_new frame.
type ListingNew struct {
	ListingID int64   `json:"listing_id"`
	CardID    int64   `json:"card_id"`
	Price     float64 `json:"price"`
	Currency  string  `json:"currency"`
}

// listingEvents are a new listing's listing_new frames: marketplace:new,
// its card's and its game's topics.
func listingEvents(l Listing) []catalog.Event {
	d := ListingNew{ListingID: l.ID, CardID: l.CardID, Price: l.Price.Float(), Currency: l.Currency}
	ev := []catalog.Event{
		{Type: catalog.FrameListingNew, Topic: catalog.TopicMarketplaceNew, Data: d},
		{Type: catalog.FrameListingNew, Topic: catalog.CardTopic(l.CardID), Data: d},
	}
	if l.TCGSlug != "" {
		ev = append(ev, catalog.Event{Type: catalog.FrameListingNew, Topic: catalog.TCGTopic(l.TCGSlug), Data: d})
	}
	return ev
}

// Listing returns one listing; a draft is its seller's only.
func (s *Service) Listing(ctx context.Context, viewerID, id int64) (Listing, error) {
	l, err := s.cfg.Store.Listing(ctx, id)
	if err != nil {
		return Listing{}, fmt.Errorf("listing: %w", err)
	}
	if l.Status == ListingDraft && l.SellerID != viewerID {
		return Listing{}, catalog.Errorf(catalog.ENOTFOUND, "Listing not found")
	}
	return l.Shown(s.now()), nil
}

// Browse returns active, unexpired listings matching q.
func (s *Service) Browse(ctx context.Context, q ListingQuery) (ListingPage, error) {
	q.Now = s.now()
	if q.Sort == "" {
		q.Sort = SortNewest
	}
	p, err := s.cfg.Store.Browse(ctx, q)
	if err != nil {
		return ListingPage{}, fmt.Errorf("browse listings: %w", err)
	}
	for i := range p.Items {
		p.Items[i] = p.Items[i].Shown(q.Now)
	}
	return p, nil
}

// SellerListings returns the seller's own listings of every status.
func (s *Service) SellerListings(ctx context.Context, sellerID int64, limit, offset int) (ListingPage, error) {
	q := ListingQuery{SellerID: sellerID, Limit: limit, Offset: offset, Sort: SortNewest}
	return s.Browse(ctx, q)
}

// owned loads a listing and checks sellerID owns it (403 otherwise).
func (s *Service) owned(ctx context.Context, sellerID, id int64) (Listing, error) {
	l, err := s.cfg.Store.Listing(ctx, id)
	if err != nil {
		return Listing{}, err
	}
	if l.SellerID != sellerID {
		if l.Status == ListingDraft {
			return Listing{}, catalog.Errorf(catalog.ENOTFOUND, "Listing not found")
		}
		return Listing{}, catalog.Errorf(catalog.EFORBIDDEN, "Not the owner of this listing")
	}
	return l, nil
}

// EditListing changes an active or draft listing of sellerID.
func (s *Service) EditListing(ctx context.Context, sellerID, id int64, in ListingEdit) (Listing, error) {
	var f fieldErrs
	var p ListingPatch
	if in.Price != nil {
		if c, err := EUR("price", *in.Price); err != nil {
			f.addErr(err)
		} else {
			p.Price = &c
		}
	}
	if in.Condition != nil {
		c := validCondition(&f, *in.Condition)
		p.Condition = &c
	}
	if in.Quantity != nil {
		validQuantity(&f, *in.Quantity)
		p.Quantity = in.Quantity
	}
	if in.Variant != nil {
		v := strings.TrimSpace(*in.Variant)
		if len(v) > 100 {
			f.add("variant", "ensure this value has at most 100 characters", "value_error.any_str.max_length")
		}
		p.Variant = &v
	}
	if in.Description != nil {
		validDescription(&f, *in.Description)
		p.Description = in.Description
	}
	if in.ImageURLs != nil {
		validImages(&f, *in.ImageURLs)
		p.ImageURLs = in.ImageURLs
	}
	p.AcceptsOffers, p.BuyNowEnabled, p.Publish = in.AcceptsOffers, in.BuyNowEnabled, in.Publish
	if err := f.err(); err != nil {
		return Listing{}, err
	}
	old, err := s.owned(ctx, sellerID, id)
	if err != nil {
		return Listing{}, fmt.Errorf("edit listing: %w", err)
	}
	l, err := s.cfg.Store.UpdateListing(ctx, id, sellerID, p, s.now())
	if err != nil {
		return Listing{}, fmt.Errorf("edit listing: %w", err)
	}
	if old.Status == ListingDraft && l.Status == ListingActive {
		s.publish(ctx, listingEvents(l)...)
	}
	return l.Shown(s.now()), nil
}

// WithdrawListing takes an active or draft listing of sellerID off sale.
func (s *Service) WithdrawListing(ctx context.Context, sellerID, id int64) (Listing, error) {
	if _, err := s.owned(ctx, sellerID, id); err != nil {
		return Listing{}, fmt.Errorf("withdraw listing: %w", err)
	}
	l, err := s.cfg.Store.SetListingStatus(ctx, id, sellerID, []ListingStatus{ListingActive, ListingDraft}, ListingWithdrawn, s.now())
	if err != nil {
		return Listing{}, fmt.Errorf("withdraw listing: %w", err)
	}
	return l, nil
}

// Renewal is the answer of an owner renewal.
type Renewal struct {
	OK           bool   `json:"ok"`
	ListingID    int64  `json:"listing_id"`
	ExpiresAt    string `json:"expires_at"`
	RenewalCount int    `json:"renewal_count"`
	// Renewed is false when a renewal within the last 60 s answered.
	Renewed bool `json:"renewed"`
}

// RenewListing extends sellerID's active listing by RenewBy; a repeat
// within RenewIdempotence answers the same expiry.
func (s *Service) RenewListing(ctx context.Context, sellerID, id int64) (Renewal, error) {
	if _, err := s.owned(ctx, sellerID, id); err != nil {
		return Renewal{}, fmt.Errorf("renew listing: %w", err)
	}
	l, renewed, err := s.cfg.Store.RenewListing(ctx, id, sellerID, "", s.now())
	if err != nil {
		return Renewal{}, fmt.Errorf("renew listing: %w", err)
	}
	return Renewal{OK: true, ListingID: l.ID, ExpiresAt: l.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z"), RenewalCount: l.RenewalCount, Renewed: renewed}, nil
}
