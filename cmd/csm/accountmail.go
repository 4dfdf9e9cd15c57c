package main

import (
	"log/slog"

	"github.com/collectorstash/csm/accountmail"
	"github.com/collectorstash/csm/notify"
	"github.com/collectorstash/csm/postgres"
)

// accountMailDeps is password reset by e-mail and e-mail verification over
// db, mailing through CSM_SMTP_ADDR (unset: no mail is sent; reset links
// then never arrive and new accounts stay unverified).
func accountMailDeps(cfg *config, db *postgres.DB) *accountmail.Service {
	c := accountmail.Config{Store: db, PublicURL: cfg.PublicURL, Log: slog.Default()}
	if addr := cfg.SMTPAddr; addr != "" {
		m, err := notify.NewSMTPMailer(notify.SMTPConfig{Addr: addr, From: cfg.SMTPFrom,
			Username: cfg.SMTPUsername, Password: cfg.SMTPPassword})
		if err != nil {
			slog.Error("account e-mail disabled", "err", err)
		} else {
			c.Mailer = m
		}
	}
	return accountmail.New(c)
}
