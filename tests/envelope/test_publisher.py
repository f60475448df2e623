"""Publishing with confirms to the run's vhost."""

import aio_pika
import pytest

from envelope import EXCHANGE, Publisher, UnroutableEvent, create_envelope, service_source


async def test_published_event_arrives_with_its_properties(
    amqp: aio_pika.abc.AbstractRobustConnection, unique: str
) -> None:
    publisher = Publisher()
    await publisher.attach(amqp)
    channel = await amqp.channel()
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(f"probe.{unique}", exclusive=True)
    await queue.bind(exchange, "test.thing.#")

    sent = create_envelope("test.thing.happened", {"name": unique}, source=service_source("t"))
    await publisher.publish(sent)

    message = await queue.get(timeout=5)
    assert message.message_id == str(sent.event_id)
    assert message.content_type == "application/json"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.routing_key == "test.thing.happened"
    assert message.body == sent.to_json()
    await message.ack()
    await publisher.close()


async def test_unroutable_event_is_an_error(amqp: aio_pika.abc.AbstractRobustConnection) -> None:
    publisher = Publisher()
    await publisher.attach(amqp)
    lonely = create_envelope("test.thing.other", {"name": "nobody"}, source=service_source("t"))
    with pytest.raises(UnroutableEvent, match=r"test\.thing\.other"):
        await publisher.publish(lonely)
    await publisher.close()
