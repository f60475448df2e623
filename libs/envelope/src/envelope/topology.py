"""`python -m envelope.topology`: declare Bloodbank's topology for the installed services.

The one-off step that runs before the services (`make migrate`, compose's migration steps), as
the operator's broker account: `BLOODBANK_URL`, `BLOODBANK_ADMIN_USER`,
`BLOODBANK_ADMIN_PASSWORD`, and `BLOODBANK_MANAGEMENT_URL` for the policies (default: the
broker's host on port 15672).
"""

from __future__ import annotations

import asyncio

import yarl
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from envelope._logging import configure_logging
from envelope._topology import EXCHANGE, Topology, declare_topology


class TopologySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLOODBANK_", extra="ignore")

    url: str = "amqp://127.0.0.1:5672/"
    admin_user: str = Field(min_length=1)
    admin_password: SecretStr
    management_url: str = ""
    exchange: str = EXCHANGE

    @property
    def amqp_url(self) -> str:
        """With the operator's credentials (holds the password: never log it)."""
        url = yarl.URL(self.url).with_user(self.admin_user)
        return str(url.with_password(self.admin_password.get_secret_value()))

    @property
    def management(self) -> str:
        return self.management_url or f"http://{yarl.URL(self.url).host}:15672"


def main() -> None:
    configure_logging()
    # The account's fields are required and come from the environment.
    settings = TopologySettings()  # type: ignore[call-arg]
    topology = Topology.installed(exchange=settings.exchange)
    asyncio.run(declare_topology(topology, settings.amqp_url, settings.management))


if __name__ == "__main__":
    main()
