"""Each broker account may do only what deploy/rabbitmq/permissions grants it; the refusals
come from RabbitMQ itself (403 ACCESS_REFUSED), on the run's vhost with the run's accounts."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused
from harness import Broker, ServiceProcess

from envelope import EXCHANGE

Action = Callable[[aio_pika.abc.AbstractChannel], Awaitable[object]]


@pytest.fixture
def both_services_declared(imi_process: ServiceProcess, mimir_process: ServiceProcess) -> None:
    """Both services run (as processes, so they consume while a test waits) and consume the
    queues the topology step declared: they report the broker up only after that."""


async def attempt(url: str, action: Action) -> None:
    """Run `action` on a fresh channel of a fresh connection; the broker's refusal propagates."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await action(channel)


def publish(routing_key: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> None:
        exchange = await channel.get_exchange(EXCHANGE)  # passive: needs no permission
        body = json.dumps({"probe": routing_key}).encode()
        await exchange.publish(aio_pika.Message(body), routing_key=routing_key)

    return action


async def requeue(message: aio_pika.abc.AbstractIncomingMessage) -> None:
    await message.nack(requeue=True)


def consume(queue_name: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> None:
        queue = await channel.get_queue(queue_name)  # passive
        await queue.consume(requeue)

    return action


def delete_queue(queue_name: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> None:
        await channel.queue_delete(queue_name)

    return action


def declare_exchange(name: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> None:
        await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)

    return action


def declare_queue(queue_name: str) -> Action:
    async def action(channel: aio_pika.abc.AbstractChannel) -> None:
        await channel.declare_queue(queue_name, auto_delete=True)

    return action


@pytest.mark.parametrize(
    ("account", "action"),
    [
        ("imi", publish("mimir.decision.created")),
        ("imi", publish("mimir.cmd.record_decision")),
        ("imi", publish("git.push")),
        ("imi", consume("mimir.commands")),
        ("imi", delete_queue("mimir.commands")),
        ("imi", declare_queue("mimir.intruder")),
        # The topology step declares every queue and exchange; a service configures nothing.
        ("imi", declare_queue("imi.undeclared")),
        ("imi", delete_queue("imi.commands")),
        ("imi", declare_exchange(EXCHANGE)),
        ("mimir", declare_queue("mimir.undeclared")),
        ("mimir", publish("imi.work.started")),
        ("mimir", publish("imi.cmd.start_work")),
        ("mimir", consume("imi.commands")),
        ("producer", publish("imi.project.registered")),
        ("producer", publish("mimir.decision.created")),
        ("producer", consume("imi.git_events")),
        ("producer", declare_queue("producer.listener")),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
async def test_the_broker_refuses_what_an_account_may_not_do(
    broker: Broker, both_services_declared: None, account: str, action: Action
) -> None:
    with pytest.raises(ChannelAccessRefused, match="ACCESS_REFUSED"):
        await attempt(broker.account_url(account), action)


@pytest.mark.parametrize(
    ("account", "routing_key"),
    [
        ("imi", "imi.probe.permitted"),
        ("imi", "imi.cmd.probe"),
        ("mimir", "mimir.probe.permitted"),
        ("producer", "git.probe.permitted"),
        ("producer", "plane.probe.permitted"),
        ("producer", "ci.probe.permitted"),
        ("producer", "webhook.probe.permitted"),
        ("producer", "imi.cmd.probe"),
    ],
)
async def test_an_account_may_publish_its_own_routing_keys(
    broker: Broker, both_services_declared: None, account: str, routing_key: str
) -> None:
    # Keys no queue is bound to: the broker accepts (and confirms) them and drops them.
    await attempt(broker.account_url(account), publish(routing_key))


async def test_the_services_log_in_with_their_own_accounts(
    broker: Broker, imi_env: dict[str, str], mimir_env: dict[str, str]
) -> None:
    assert imi_env["IMI_BROKER_USER"] == broker.accounts["imi"][0]
    assert mimir_env["MIMIR_BROKER_USER"] == broker.accounts["mimir"][0]
    assert "BLOODBANK_PASSWORD" not in imi_env
    assert "BLOODBANK_PASSWORD" not in mimir_env
