"""The team's price table: its own price per GPU-hour, with source and date, over the shipped defaults
(``launch.prices``). Reading is open to everyone; every write passes ``check_price_write`` — the one access
check of this table (team admins, and the embedded single-person mode, whose user administers the database)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from lifecycle._typed import one_line
from lifecycle.errors import AccessDenied, InvalidInput, NotFound
from lifecycle.limits import MAX_USD_PER_GPU_HOUR
from lifecycle.models.gpus import get_gpu
from lifecycle.records.orm import GpuPriceRow
from lifecycle.records.project import utc_now


class GpuPrice(BaseModel):
    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    gpu_id: str = Field(min_length=1, max_length=64)
    price_usd_per_hour: float = Field(ge=0, le=MAX_USD_PER_GPU_HOUR)
    source: str = Field(min_length=1, max_length=500)
    date: str = Field(min_length=1, max_length=32)
    reference: str = Field("", max_length=500)  # another public price for comparison (shipped defaults only)
    team: bool = False  # the team's own price, not the shipped default


def check_price_write(store) -> None:
    """The single access check of the team's price table. Stricter than ``access.check_team_table`` (anyone adds
    a team model): a price changes every project's costs, so only a team admin sets one. Every change is on the
    audit trail."""
    if store.actor.expired:
        raise AccessDenied("Your sign-in has expired: sign in again to change prices.")
    if not store.actor.admin:
        raise AccessDenied("Only a team admin may change the team's GPU prices.")


def team_prices(store) -> list[GpuPrice]:
    with store.session() as s:
        rows = s.scalars(select(GpuPriceRow).order_by(GpuPriceRow.gpu_id)).all()
        return [GpuPrice(gpu_id=r.gpu_id, price_usd_per_hour=r.price_usd_per_hour, source=r.source, date=r.date,
                         team=True) for r in rows]


def set_team_price(store, gpu_id: str, price_usd_per_hour: float, *, source: str, date: str) -> GpuPrice:
    check_price_write(store)
    get_gpu(gpu_id)  # NotFound names the closest ids
    try:
        price = GpuPrice(gpu_id=gpu_id, price_usd_per_hour=price_usd_per_hour, source=source.strip(),
                         date=date.strip(), team=True)
    except ValidationError as exc:
        raise InvalidInput(one_line(exc)) from None
    if any(not c.isprintable() for c in price.source + price.date):
        raise InvalidInput("A price's source and date are plain text on one line.")
    with store.session() as s:
        row = s.scalar(select(GpuPriceRow).where(GpuPriceRow.gpu_id == gpu_id))
        if row is None:
            row = GpuPriceRow(gpu_id=gpu_id)
            s.add(row)
        row.price_usd_per_hour, row.source, row.date = price.price_usd_per_hour, price.source, price.date
        row.updated_at, row.updated_by = utc_now(), store.actor.display[:200]
        store.record(s, f"GPU price set: {gpu_id} ${price.price_usd_per_hour:,.2f}/GPU-hour ({price.source[:100]})")
    return price


def delete_team_price(store, gpu_id: str) -> None:
    check_price_write(store)
    with store.session() as s:
        row = s.scalar(select(GpuPriceRow).where(GpuPriceRow.gpu_id == gpu_id))
        if row is None:
            raise NotFound(f"The team has no price for {gpu_id!r}.")
        s.delete(row)
        store.record(s, f"GPU price removed: {gpu_id} (back to the shipped default)")
