"""The outbox: rows first, sent by a job, retried with backoff, never lost, never sent twice.
The SMTP backend is exercised against a real SMTP server (aiosmtpd) on 127.0.0.1."""
import io
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from coordination import mail
from coordination.auth.models import utcnow


class Recorder:
    def __init__(self):
        self.envelopes = []
        self.refuse = 0  # refuse this many deliveries with a temporary error

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Réessayez plus tard"
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                      SMTP_SECURITY="none", SMTP_TIMEOUT=5)
    yield recorder
    controller.stop()
    app.config.update(MAIL_BACKEND="console")


def queue_test_message(db, recipient="camille@exemple.fr", **kwargs):
    message = mail.queue(recipient, "Essai", "mail/test_message", name="Camille", **kwargs)
    db.session.commit()
    return message


def received(recorder):
    return [message_from_bytes(e.content, policy=policy.default) for e in recorder.envelopes]


def test_queued_message_is_a_row_until_sent(db, mail_outbox):
    queue_test_message(db)
    [row] = mail_outbox()
    assert row.status == "pending"
    assert "Bonjour Camille" in row.body_text
    assert "<p>Bonjour Camille,</p>" in row.body_html


def test_smtp_backend_delivers_text_html_and_attachment(db, smtp_server, mail_outbox):
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    queue_test_message(db, attachments=[mail.attachment("reunion.ics", "text/calendar", ics)])

    assert mail.send_pending() == {"sent": 1, "retry": 0, "failed": 0, "cancelled": 0}

    [email] = received(smtp_server)
    assert email["To"] == "camille@exemple.fr"
    assert email["Subject"] == "Essai"
    assert "Bonjour Camille" in email.get_body(("plain",)).get_content()
    assert "<p>Bonjour Camille,</p>" in email.get_body(("html",)).get_content()
    [part] = list(email.iter_attachments())
    assert part.get_filename() == "reunion.ics"
    assert part.get_content().encode() == ics
    assert mail_outbox()[0].status == "sent"


def test_an_answer_goes_to_the_reply_to_address_and_the_sender_stays_the_network(app, db, smtp_server):
    queue_test_message(db, reply_to="claire@reseau.exemple.fr")
    assert mail.send_pending()["sent"] == 1
    [email] = received(smtp_server)
    assert email["Reply-To"] == "claire@reseau.exemple.fr"
    assert email["From"] == app.config["MAIL_FROM"]
    queue_test_message(db)
    assert mail.send_pending()["sent"] == 1
    assert received(smtp_server)[-1]["Reply-To"] is None


def test_a_calendar_keeps_its_method_and_charset_through_smtp(db, smtp_server):
    # Without method=, mail clients show a file, not an invitation or a cancellation.
    ics = "BEGIN:VCALENDAR\r\nSUMMARY:Réunion du réseau\r\nEND:VCALENDAR\r\n".encode()
    queue_test_message(db, attachments=[mail.attachment("reunion.ics", "text/calendar; charset=utf-8; method=CANCEL",
                                                        ics)])
    mail.send_pending()
    [email] = received(smtp_server)
    [part] = list(email.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "CANCEL" and part.get_param("charset") == "utf-8"
    assert "Réunion du réseau" in part.get_content()


def test_a_sent_message_is_never_sent_twice(db, smtp_server):
    queue_test_message(db)
    mail.send_pending()
    assert mail.send_pending() == {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0}
    assert len(smtp_server.envelopes) == 1


def test_temporary_refusal_is_retried_with_backoff(db, smtp_server, mail_outbox):
    smtp_server.refuse = 1
    queue_test_message(db)
    now = utcnow()

    assert mail.send_pending(now=now) == {"sent": 0, "retry": 1, "failed": 0, "cancelled": 0}
    [row] = mail_outbox()
    assert row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert "451" in row.last_error

    assert mail.send_pending(now=now) == {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0}  # not due yet
    assert mail.send_pending(now=now + timedelta(minutes=2))["sent"] == 1
    assert len(smtp_server.envelopes) == 1


def test_server_down_keeps_the_message_then_gives_up_after_max_attempts(app, db, mail_outbox):
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2,
                      MAIL_MAX_ATTEMPTS=3)
    try:
        queue_test_message(db)
        now = utcnow()
        for step in range(3):
            mail.send_pending(now=now + timedelta(days=step))
        [row] = mail_outbox()
        assert row.status == "failed" and row.attempts == 3
        assert "ConnectionRefused" in row.last_error
        assert mail.retry_failed() == 1
        assert mail_outbox()[0].status == "pending"
    finally:
        app.config.update(MAIL_BACKEND="console", MAIL_MAX_ATTEMPTS=8)


def test_dedupe_key_queues_one_message(db, mail_outbox):
    assert queue_test_message(db, dedupe_key="rappel:42") is not None
    assert queue_test_message(db, dedupe_key="rappel:42") is None
    assert len(mail_outbox()) == 1


def test_a_message_claimed_by_another_sender_is_skipped(db):
    message = queue_test_message(db)
    assert mail._claim(message.id) is True
    assert mail._claim(message.id) is False


def test_console_backend_prints_the_message(db, app):
    stream = io.StringIO()
    queue_test_message(db)
    counts = mail.send_pending(backend=mail.ConsoleBackend(app.config, stream=stream))
    assert counts["sent"] == 1
    assert "À : camille@exemple.fr" in stream.getvalue()
    assert "Bonjour Camille" in stream.getvalue()


def test_cli_send_pending(db, runner, mail_outbox):
    queue_test_message(db)
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Envoyés\u00a0: 1\u202f; à réessayer\u00a0: 0" in result.output
    assert mail_outbox()[0].status == "sent"


def test_a_message_that_cannot_be_built_fails_alone_and_the_batch_goes_on(db, smtp_server, mail_outbox):
    # A subject can no longer break a message (mail.subject_line, issue 13 finding 7): a recipient can.
    mail.queue("camille@exemple.fr\r\nBcc: intrus@exemple.fr", "Objet", "mail/test_message", name="Camille")
    queue_test_message(db, recipient="dominique@exemple.fr")
    db.session.commit()
    assert mail.send_pending() == {"sent": 1, "retry": 0, "failed": 1, "cancelled": 0}
    broken, good = mail_outbox()
    assert broken.status == "failed" and "Message invalide" in broken.last_error
    assert good.status == "sent"
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["dominique@exemple.fr"]]


def test_a_message_left_sending_by_a_crashed_sender_is_flagged_not_resent(db, mail_outbox, runner):
    message = queue_test_message(db)
    assert mail._claim(message.id)
    assert mail.release_stuck(older_than=timedelta(hours=1)) == 0  # just claimed: maybe still sending
    message = mail_outbox()[0]
    message.next_attempt_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    result = runner.invoke(args=["mail", "release-stuck"])
    assert "1 courriel marqué en échec" in result.output
    assert mail_outbox()[0].status == "failed"
    assert mail.send_pending()["sent"] == 0


def test_a_refused_quit_after_acceptance_does_not_send_twice(db, app, mail_outbox, monkeypatch):
    import smtplib

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)

    def quit_refused(self):
        raise smtplib.SMTPResponseException(421, b"Au revoir brutal")
    monkeypatch.setattr(smtplib.SMTP, "quit", quit_refused)
    try:
        queue_test_message(db)
        assert mail.send_pending()["sent"] == 1
        assert mail.send_pending()["sent"] == 0
        assert len(recorder.envelopes) == 1
    finally:
        controller.stop()
        app.config.update(MAIL_BACKEND="console")


def test_racing_dedupe_keys_keep_the_callers_transaction(db, mail_outbox, monkeypatch):
    from coordination.auth.models import Organisation
    queue_test_message(db, dedupe_key="rappel:7")
    monkeypatch.setattr(mail, "_dedupe_key_taken", lambda key: False)  # the other sender was faster
    db.session.add(Organisation(name="Asso", kind="association", pivot="W123456789", contact_email="a@b.fr"))
    assert mail.queue("x@exemple.fr", "Essai", "mail/test_message", name="X", dedupe_key="rappel:7") is None
    db.session.commit()
    assert db.session.query(Organisation).count() == 1
    assert len(mail_outbox()) == 1


def test_sent_messages_are_emptied_after_the_retention_period(app, db, runner, mail_outbox):
    old, recent, waiting = (queue_test_message(db, recipient=f"{name}@exemple.fr") for name in ("a", "b", "c"))
    days = app.config["MAIL_RETENTION_DAYS"]
    for message, age in ((old, days + 1), (recent, days - 1), (waiting, days + 1)):
        message.created_at = utcnow() - timedelta(days=age)
        message.status = "sent" if message is not waiting else "pending"
    db.session.commit()
    result = runner.invoke(args=["mail", "erase-sent"])
    assert "1 courriel envoyé effacé" in result.output
    erased, kept, pending = sorted(mail_outbox(), key=lambda message: message.id)
    assert (erased.recipient, erased.subject, erased.body_text, erased.attachments) == ("", "", "", [])
    assert erased.dedupe_key == old.dedupe_key  # still stops the same message from being queued again
    assert kept.recipient == "b@exemple.fr" and "Bonjour" in kept.body_text
    assert pending.recipient == "c@exemple.fr"  # not sent yet: never erased before it is
    assert mail.erase_sent() == 0
