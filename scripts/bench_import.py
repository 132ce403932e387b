"""Peer of `bientap bench --only import`: Python's mailbox + email parse the same Maildir
(subject, sender, text body, attachments decoded), storing nothing. Prints one JSON line."""
import email
import email.policy
import json
import mailbox
import sys
import time

t0 = time.perf_counter()
c0 = time.process_time()
md = mailbox.Maildir(sys.argv[1], factory=None, create=False)
n = 0
text_chars = 0
att_bytes = 0
for key in md.iterkeys():
    with md.get_file(key) as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    subject = str(msg["subject"] or "")
    sender = str(msg["from"] or "")
    body = msg.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    text_chars += len(subject) + len(sender) + len(text)
    for part in msg.iter_attachments():
        att_bytes += len(part.get_content())
    n += 1
print(json.dumps({
    "messages": n,
    "seconds": time.perf_counter() - t0,
    "cpu_seconds": time.process_time() - c0,
    "text_chars": text_chars,
    "attachment_bytes": att_bytes,
}))
