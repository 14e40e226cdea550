"""Notifications to a town's departments: reminders (send_reminders) and 催办, through its channels.

A town configures channels (NotificationChannel): email (Django's mail
backend, to the department's address and any extra ones), DingTalk and WeCom
group robots, and a plain JSON webhook. Every message goes to every active
channel of the department's town; each delivery is tried up to the channel's
`attempts` times, waiting TRACKER_NOTIFY_BACKOFF seconds (doubling) between
tries, and its outcome is returned, never raised: one channel down does not
stop the others, and the caller records what happened.

Formats (what each receiver expects):
- DingTalk robot: POST {"msgtype": "markdown", "markdown": {"title", "text"}};
  with a secret (加签), `timestamp` (ms) and `sign` =
  base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")) are added to the URL.
- WeCom robot: POST {"msgtype": "markdown", "markdown": {"content"}} to the
  robot's URL (its key is in the URL; WeCom robots have no signature).
- JSON: POST {"title", "text", "url", "town", "department", "sent_at"}; with a
  secret, the header X-Signature: sha256=<hex HMAC-SHA256(secret, body)>.
A webhook answering 2xx (DingTalk and WeCom: also "errcode": 0) is delivered.
Tests point channels at a local receiver: nothing leaves the machine.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from tracker.models import ChannelKind, Department, NotificationChannel

TIMEOUT = 5  # seconds per try


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Delivery:
    channel: str
    ok: bool
    attempts: int
    error: str = ""

    def __str__(self) -> str:
        outcome = "ok" if self.ok else f"failed: {self.error}"
        return f"{self.channel}: {outcome} ({self.attempts} attempt(s))"


class DeliveryError(Exception):
    """A receiver refused the message, or could not be reached."""


def dingtalk_url(address: str, secret: str, now_ms: int) -> str:
    """The robot's URL, signed (加签) when the channel has a secret."""
    if not secret:
        return address
    to_sign = f"{now_ms}\n{secret}".encode()
    sign = base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()
    joiner = "&" if "?" in address else "?"
    return f"{address}{joiner}{urllib.parse.urlencode({'timestamp': now_ms, 'sign': sign})}"


def json_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes, headers: dict[str, str], robot: bool) -> None:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http(s) only: NotificationChannel.clean)
            answer = response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise DeliveryError(str(getattr(error, "reason", error))) from error
    if robot:
        # DingTalk and WeCom answer 200 with {"errcode": n} when they refuse.
        try:
            code = json.loads(answer or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            code = 0
        if code:
            raise DeliveryError(f"errcode {code}")


def _markdown(message: Message) -> str:
    text = f"### {message.title}\n\n{message.text}"
    return f"{text}\n\n[{message.url}]({message.url})" if message.url else text


def _send_once(channel: NotificationChannel, department: Department, message: Message) -> None:
    if channel.kind == ChannelKind.EMAIL:
        extra = [a.strip() for a in channel.address.split(",") if a.strip()]
        recipients = [a for a in [department.email, *extra] if a]
        if not recipients:
            raise DeliveryError("no email address")
        text = f"{message.text}\n\n{message.url}" if message.url else message.text
        send_mail(message.title, text, settings.DEFAULT_FROM_EMAIL, recipients)
        return
    if channel.kind == ChannelKind.DINGTALK:
        body = {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": _markdown(message)},
        }
        url = dingtalk_url(channel.address, channel.secret, int(time.time() * 1000))
        _post(url, json.dumps(body, ensure_ascii=False).encode(), {}, robot=True)
        return
    if channel.kind == ChannelKind.WECOM:
        body = {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}
        _post(channel.address, json.dumps(body, ensure_ascii=False).encode(), {}, robot=True)
        return
    payload = json.dumps(
        {
            "title": message.title,
            "text": message.text,
            "url": message.url,
            "town": department.town.name,
            "department": department.name,
            "sent_at": timezone.now().isoformat(),
        },
        ensure_ascii=False,
    ).encode()
    headers = {"X-Signature": json_signature(channel.secret, payload)} if channel.secret else {}
    _post(channel.address, payload, headers, robot=False)


def channel_send(
    channel: NotificationChannel, department: Department, message: Message
) -> Delivery:
    """Send through one channel, retrying; the outcome, never an exception."""
    backoff = float(getattr(settings, "TRACKER_NOTIFY_BACKOFF", 1.0))
    error = ""
    for attempt in range(1, channel.attempts + 1):
        try:
            _send_once(channel, department, message)
            return Delivery(channel=channel.name, ok=True, attempts=attempt)
        except DeliveryError as failure:
            error = str(failure)
        if attempt < channel.attempts and backoff:
            time.sleep(backoff * 2 ** (attempt - 1))
    return Delivery(channel=channel.name, ok=False, attempts=channel.attempts, error=error)


def notify_department(department: Department, message: Message) -> list[Delivery]:
    """Send to every active channel of the department's town.

    A town with no channel configured still emails the department's address,
    as reminders always have.
    """
    channels = list(
        NotificationChannel.objects.filter(town_id=department.town_id, is_active=True).order_by(
            "name", "id"
        )
    )
    if not channels:
        channels = [NotificationChannel(town_id=department.town_id, name="email", kind="email")]
    return [channel_send(channel, department, message) for channel in channels]
