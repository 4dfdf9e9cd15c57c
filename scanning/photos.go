package scanning

import (
	"context"
	"time"

	"github.com/collectorstash/csm/catalog"
	"github.com/collectorstash/csm/photos"
)

func photoURL(key string) string { return photos.URL(key) }

func (s *Service) ticker() *time.Ticker { return time.NewTicker(s.cfg.Resync) }

// PhotoRequest is a request for a private photo: its key and, for a signed
// URL, exp and sig.
type PhotoRequest struct {
	Key string
	Exp string
	Sig string
}

// Photo returns the file of a private photo for its owner (the session's
// or the scan's user, or an admin) or for a valid, unexpired signature.
// A wrong or expired signature is 403; anyone else, signed in or not, gets
// 404, as for a photo that does not exist (nothing tells them it does).
func (s *Service) Photo(ctx context.Context, p catalog.Principal, r PhotoRequest) (string, error) {
	notFound := catalog.Errorf(catalog.ENOTFOUND, "Photo not found")
	ref, err := photos.Parse(r.Key)
	if err != nil {
		return "", err
	}
	if r.Sig != "" || r.Exp != "" {
		if err := s.cfg.Photos.Verify(r.Key, r.Exp, r.Sig, s.cfg.Now()); err != nil {
			return "", err
		}
		return s.cfg.Photos.File(r.Key)
	}
	if !p.Authenticated() {
		return "", notFound
	}
	var owner int64
	switch ref.Kind {
	case photos.KindSession:
		sess, err := s.cfg.Store.ScanSession(ctx, ref.SessionID)
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			return "", notFound
		}
		if err != nil {
			return "", err
		}
		owner = sess.UserID
	default:
		sc, err := s.cfg.Store.Scan(ctx, ref.ScanID)
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			return "", notFound
		}
		if err != nil {
			return "", err
		}
		owner = sc.UserID
	}
	if owner == 0 || (p.User.ID != owner && !p.User.IsAdmin) {
		return "", notFound
	}
	return s.cfg.Photos.File(r.Key)
}
