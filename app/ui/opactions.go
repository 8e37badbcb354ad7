package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// unlockScreen takes the operator's reason for resuming a locked session on the on-screen
// keyboard; on success operator mode closes and the kiosk shows the session at the step where it
// locked, for the applicant to go on.
func (u *UI) unlockScreen(o *operatorState) fyne.CanvasObject {
	tf := u.newTextField(reasonMaxRunes)
	save := widget.NewButton(u.T("operator.unlock.save"), func() {
		reason := strings.TrimSpace(string(tf.value))
		if reason == "" {
			o.err, o.errArgs = "operator.unlock.reason_required", nil
			u.setOperator(o)
			return
		}
		snap, err := u.opt.Sessions.Unlock(u.ctx, o.session, o.operator, reason)
		if err != nil {
			o.err, o.errArgs = errorKey(err)
			u.setOperator(o)
			return
		}
		u.mu.Lock()
		u.oper = nil
		u.message, u.msgArgs = "", nil
		u.mu.Unlock()
		u.render(snap)
	})
	save.Importance = widget.HighImportance
	cancel := widget.NewButton(u.T("operator.cancel"), func() { o.view, o.err = "detail", ""; u.setOperator(o) })
	top := container.NewVBox(u.heading(u.raw("operator.unlock.title")), u.para("operator.unlock.confirm", 70),
		u.label("operator.unlock.reason"), tf.view(), u.operatorError(o))
	return container.NewBorder(top, u.tall(u.layer.Ends(cancel, save)), nil, nil, container.NewCenter(u.keyboard(tf)))
}

// outboxPanel adds the delivery queue to the health column: what waits, what the back office
// refused, the latest error, and "retry now".
func (u *UI) outboxPanel(o *operatorState, box *fyne.Container) {
	if u.opt.Outbox == nil {
		return
	}
	box.Add(u.heading(u.raw("operator.outbox.title")))
	st, err := u.opt.Outbox.Status(u.ctx)
	if err != nil {
		box.Add(u.label("operator.outbox.error"))
		return
	}
	box.Add(u.label("operator.outbox.counts", "pending", itoa(st.Pending), "refused", itoa(st.Refused)))
	if !st.Oldest.IsZero() {
		box.Add(u.label("operator.outbox.oldest", "minutes", itoa(int(u.opt.Now().Sub(st.Oldest).Minutes()))))
	}
	for i, r := range st.Rows {
		if i == 5 {
			box.Add(u.label("operator.outbox.more", "n", itoa(len(st.Rows)-5)))
			break
		}
		line := u.raw("operator.outbox.row", "id", sessionCode(r.SessionID), "kind", u.raw("operator.outbox.kind."+r.Kind),
			"state", u.raw("operator.outbox.state."+r.State), "n", itoa(r.Attempts))
		box.Add(widget.NewLabelWithStyle(u.layer.Text(line), u.layer.Align(), fyne.TextStyle{}))
		if r.LastError != "" {
			// The transport's own words, for the operator or support.
			e := widget.NewLabel(r.LastError)
			e.Wrapping = fyne.TextWrapWord
			e.Importance = widget.DangerImportance
			box.Add(e)
		}
	}
	if o.outboxMsg != "" {
		box.Add(u.label(o.outboxMsg, o.outboxArgs...))
	}
	retry := u.iconButton(u.T("operator.outbox.retry"), theme.MailSendIcon(), func() {
		ctx, cancel := context.WithTimeout(u.ctx, 60*time.Second)
		defer cancel()
		n, err := u.opt.Outbox.RetryNow(ctx)
		o.outboxMsg, o.outboxArgs = "operator.outbox.retried", []string{"n", itoa(n)}
		if err != nil {
			o.outboxMsg = "operator.outbox.retried_error"
		}
		u.setOperator(o)
	})
	if st.Pending == 0 {
		retry.Disable()
	}
	box.Add(u.tall(u.layer.Start(retry)))
}
