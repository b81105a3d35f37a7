"""Composition root: the real store, sender and loops, unless a test passes others."""
from __future__ import annotations

from dataclasses import dataclass

from common.fanout import MentionHub
from common.public_urls import Allowlist, Resolver, system_resolver
from common.settings import Settings
from services.alerts.consumer import AlertsConsumer
from services.alerts.delivery import DeliveryLoop
from services.alerts.ports import AlertStore, WebhookSender


@dataclass
class Alerts:
    settings: Settings
    store: AlertStore
    sender: WebhookSender
    hub: MentionHub
    consumer: AlertsConsumer
    delivery: DeliveryLoop
    allowlist: Allowlist
    resolver: Resolver


def bootstrap(settings: Settings, *, store: AlertStore | None = None, sender: WebhookSender | None = None,
              resolver: Resolver | None = None) -> Alerts:
    allowlist = Allowlist.parse(settings.alerts_webhook_allowlist)
    resolver = resolver or system_resolver
    if store is None:
        from services.alerts.sqlite_store import SqliteAlertStore

        store = SqliteAlertStore(settings.alerts_db_file)
    if sender is None:
        from services.alerts.httpx_sender import HttpxSender

        sender = HttpxSender(allowlist, settings.alerts_delivery_timeout_s, resolver=resolver)
    hub = MentionHub()
    delivery = DeliveryLoop(settings, store, sender)
    consumer = AlertsConsumer(settings, store, hub, on_matched=delivery.poke)
    return Alerts(settings=settings, store=store, sender=sender, hub=hub, consumer=consumer, delivery=delivery,
                  allowlist=allowlist, resolver=resolver)
