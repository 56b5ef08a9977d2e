"""Sources: exports mapped onto the contract's inputs (declaration, mapping, exact sums, problems)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from source_data import (
    ORDER_COLUMNS,
    make_company,
    read,
    write_accounts_workbook,
    write_orders,
)

from alignment.inputs import load_inputs
from alignment.params import parse_params
from alignment.problems import InputError, ParamsError
from alignment.sources.load import check_sources
from alignment.sources.mapping import to_cents_exact
from alignment.sources.spec import redact_url


def params_for(folder: Path, sources: dict, **more) -> object:
    return parse_params({"data_dir": str(folder), "sources": sources, **more}, folder, source="p.yaml")


def orders_source(**extra) -> dict:
    return {
        "file": "exports/orders.csv",
        "columns": dict(ORDER_COLUMNS),
        "values": {"channel": {"Same Day": "Direct"}},
        "where": {"Country": "United States"},
        **extra,
    }


def problems_of(folder: Path, sources: dict) -> list[str]:
    params = params_for(folder, sources)
    inputs, problems, _, _ = check_sources(params.data_dir, params.sources, fiscal_year=2026)
    assert inputs is None
    return [p.line() for p in problems]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic company with its actuals as order lines in exports/orders.csv."""
    folder = make_company(tmp_path_factory.mktemp("company") / "data")
    write_orders(folder)
    return folder


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same company's contract files (the sample is deterministic for a seed)."""
    return make_company(tmp_path_factory.mktemp("original") / "data")


# --------------------------------------------------------------------------- the declaration


class TestParseSources:
    def test_no_sources_by_default(self, tmp_path: Path) -> None:
        assert parse_params({"data_dir": str(tmp_path)}, tmp_path).sources == {}

    def test_file_relative_to_data_dir(self, tmp_path: Path) -> None:
        p = params_for(tmp_path, {"actuals": orders_source()})
        assert p.sources["actuals"].path == (tmp_path / "exports/orders.csv").resolve()
        assert p.sources["actuals"].name == "exports/orders.csv"

    @pytest.mark.parametrize(
        ("sources", "message"),
        [
            ({"actual": {"file": "a.csv"}}, "sources.actual: unknown key — did you mean sources.actuals?"),
            (
                {"actuals": {"fil": "a.csv"}},
                "sources.actuals.fil: unknown key — did you mean sources.actuals.file?",
            ),
            (
                {"actuals": {"file": "a.csv", "columns": {"revenu": "Sales"}}},
                "sources.actuals.columns.revenu: unknown key — did you mean sources.actuals.columns.revenue?",
            ),
            (
                {"actuals": {"file": "a.txt"}},
                "sources.actuals.file: value 'a.txt': expected a .csv, .xlsx or .parquet",
            ),
            ({"actuals": {"database": "duckdb"}}, "sources.actuals.query: value None: expected a query"),
            ({"actuals": {"file": "a.csv", "database": "duckdb", "query": "SELECT 1"}}, "either file:"),
            (
                {"actuals": {"file": "a.csv", "sheet": "S"}},
                "sources.actuals.sheet: value 'S': expected a sheet only",
            ),
            (
                {
                    "customers": {
                        "file": "a.csv",
                        "lookup": {"account_owner": {"from": "people", "by": "nam"}},
                    }
                },
                "sources.customers.lookup.account_owner.by: value 'nam': expected a column of people",
            ),
            (
                {"actuals": {"file": "a.csv", "values": {"revenue": {"1": "2"}}}},
                "expected value maps on text columns only",
            ),
            ({"actuals": "orders.csv"}, "sources.actuals: value 'orders.csv': expected a source"),
        ],
    )
    def test_refused_with_the_key_named(self, tmp_path: Path, sources: dict, message: str) -> None:
        with pytest.raises(ParamsError) as err:
            params_for(tmp_path, sources)
        assert any(message in m for m in err.value.messages), err.value.messages

    def test_lookups_in_a_circle_are_refused(self, tmp_path: Path) -> None:
        sources = {
            "customers": {"file": "c.csv", "lookup": {"account_owner": {"from": "people", "by": "name"}}},
            "people": {"file": "p.csv", "lookup": {"team": {"from": "customers", "by": "customer_name"}}},
        }
        with pytest.raises(ParamsError, match="circle"):
            params_for(tmp_path, sources)

    def test_no_password_in_the_parameters_record(self, tmp_path: Path) -> None:
        p = params_for(
            tmp_path,
            {"sales_input": {"database": "postgresql://bob:hunter2@db/sales", "query": "SELECT 1"}},
        )
        text = p.to_yaml()
        assert "hunter2" not in text and "postgresql://bob:***@db/sales" in text

    @pytest.mark.parametrize(
        ("url", "shown"),
        [
            ("postgresql://bob:s3cr3t@h:5432/db", "postgresql://bob:***@h:5432/db"),
            ("postgresql://bob:${PGPASSWORD}@h/db", "postgresql://bob:${PGPASSWORD}@h/db"),
            ("postgresql://h/db?user=bob&password=x1", "postgresql://h/db?user=bob&password=***"),
            ("sqlite:///plan.db", "sqlite:///plan.db"),
            ("duckdb", "duckdb"),
        ],
    )
    def test_redact_url(self, url: str, shown: str) -> None:
        assert redact_url(url) == shown


# --------------------------------------------------------------------------- exact money


class TestExactCents:
    def test_half_away_from_zero(self) -> None:
        units = np.array([125, -125, 124, -124, 135, 5, -5], dtype="int64")  # thousandths
        assert to_cents_exact(units, 3).tolist() == [13, -13, 12, -12, 14, 1, -1]

    def test_two_decimals_unchanged_and_fewer_scaled(self) -> None:
        assert to_cents_exact(np.array([1234], dtype="int64"), 2).tolist() == [1234]
        assert to_cents_exact(np.array([12], dtype="int64"), 0).tolist() == [1200]

    @given(st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=30))
    def test_rounded_once_per_row_after_an_exact_sum(self, units: list[int]) -> None:
        """Sum of 4-decimal amounts, rounded once: equals Decimal arithmetic, half away from zero."""
        from decimal import ROUND_HALF_UP, Decimal

        total = sum(Decimal(u).scaleb(-4) for u in units)
        expected = int((total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100).to_integral_value())
        got = to_cents_exact(np.array([sum(units)], dtype="int64"), 4)
        assert got.tolist() == [expected]


# --------------------------------------------------------------------------- order lines


class TestOrderLines:
    def test_summed_to_the_contracts_grain_exactly(self, company: Path, original: Path) -> None:
        params = params_for(company, {"actuals": orders_source()})
        inputs, problems, _, mapped = check_sources(params.data_dir, params.sources, fiscal_year=2026)
        assert problems == [] and inputs is not None
        want = read(original, "actuals")
        got = inputs.actuals.sort_values(["month", "customer_id", "product_id", "channel"], ignore_index=True)
        want = want.sort_values(["month", "customer_id", "product_id", "channel"], ignore_index=True)
        assert got[["month", "customer_id", "product_id", "channel"]].equals(
            want[["month", "customer_id", "product_id", "channel"]]
        )
        cents = np.round(got["revenue"].to_numpy() * 100).astype("int64")
        assert cents.tolist() == [int(v.replace(".", "")) for v in want["revenue"]]
        origin = inputs.origins["actuals"]
        assert origin["rows_read"] == 3 * len(want) + 5
        assert origin["rows_kept"] == 3 * len(want)
        assert origin["rows"] == len(want)
        assert mapped["actuals"].kind == "file"

    def test_same_inputs_as_the_contract_files(self, company: Path, original: Path) -> None:
        params = params_for(company, {"actuals": orders_source()})
        inputs, _, _, _ = check_sources(params.data_dir, params.sources, fiscal_year=2026)
        plain = load_inputs(original, fiscal_year=2026)
        for stem in ("customers", "sales_input", "people"):
            pd.testing.assert_frame_equal(getattr(inputs, stem), getattr(plain, stem))
        assert sorted(inputs.files) == sorted(s for s in plain.files if s != "actuals")

    def test_money_with_four_decimals_is_rounded_once_per_contract_row(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=8)
        actuals = read(folder, "actuals")
        first = actuals.iloc[0]
        lines = pd.DataFrame(
            {
                "d": [f"{first['month']}-01", f"{first['month']}-02", f"{first['month']}-03"],
                "c": first["customer_id"],
                "p": first["product_id"],
                "ch": first["channel"],
                "amount": ["0.0050", "0.0025", "0.0025"],  # each rounds to 0.01 or 0.00; the sum is 0.01
            }
        )
        lines.to_csv(folder / "lines.csv", index=False)
        actuals.iloc[1:].to_csv(folder / "rest.csv", index=False)
        (folder / "actuals.csv").unlink()
        sources = {
            "actuals": {
                "file": "lines.csv",
                "columns": {
                    "month": "d",
                    "customer_id": "c",
                    "product_id": "p",
                    "channel": "ch",
                    "revenue": "amount",
                },
            }
        }
        params = params_for(folder, sources)
        mapped, problems = _map(params)
        assert problems == []
        assert mapped["actuals"].frame["revenue"].tolist() == [0.01]

    def test_dates_datetimes_and_months(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=8)
        actuals = read(folder, "actuals").head(4)
        forms = ["2025-03-07", "2025-03-31 23:59:00", "2025-03", "2025-03-01T08:00:00"]
        lines = actuals.assign(
            month=forms,
            channel=actuals["channel"].iloc[0],
            product_id=actuals["product_id"].iloc[0],
            customer_id=actuals["customer_id"].iloc[0],
        )
        lines.to_csv(folder / "lines.csv", index=False)
        params = params_for(folder, {"actuals": {"file": "lines.csv"}})
        mapped, problems = _map(params)
        assert problems == []
        frame = mapped["actuals"].frame
        assert frame["month"].tolist() == ["2025-03"]
        want = sum(int(v.replace(".", "")) for v in actuals["revenue"])
        assert round(frame["revenue"].iloc[0] * 100) == want

    def test_us_dates_with_a_date_format(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=8)
        actuals = read(folder, "actuals").head(2)
        lines = actuals.assign(month=["11/8/2025", "1/30/2026"])
        lines.to_csv(folder / "lines.csv", index=False)
        params = params_for(folder, {"actuals": {"file": "lines.csv", "date_format": "%m/%d/%Y"}})
        mapped, problems = _map(params)
        assert problems == []
        assert sorted(mapped["actuals"].frame["month"]) == ["2025-11", "2026-01"]

    def test_parquet_with_dates_and_float_money(self, tmp_path: Path, original: Path) -> None:
        folder = make_company(tmp_path / "data")
        want = read(folder, "actuals")
        write_orders(folder, "exports/orders.parquet")
        params = params_for(folder, {"actuals": orders_source(file="exports/orders.parquet")})
        inputs, problems, _, _ = check_sources(params.data_dir, params.sources, fiscal_year=2026)
        assert problems == []
        got = inputs.actuals
        key = ["month", "customer_id", "product_id", "channel"]
        merged = got.merge(want, on=key, suffixes=("", "_want"), validate="one_to_one")
        assert len(merged) == len(want)
        assert np.round(merged["revenue"].to_numpy() * 100).astype("int64").tolist() == [
            int(v.replace(".", "")) for v in merged["revenue_want"]
        ]


def _map(params):
    from alignment.sources.load import map_sources

    return map_sources(params.sources, params.data_dir)


# --------------------------------------------------------------------------- spreadsheets and lookups


class TestSpreadsheet:
    def test_accounts_sheet_with_owner_names(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=12)
        want = read(folder, "customers")
        write_accounts_workbook(folder)
        sources = {
            "customers": {
                "file": "exports/accounts.xlsx",
                "sheet": "Accounts",
                "columns": {
                    "customer_id": "Account ID",
                    "customer_name": "Account Name",
                    "customer_group": "Segment",
                    "region": "Billing Region",
                    "account_owner": "Owner Name",
                },
                "lookup": {"account_owner": {"from": "people", "by": "name"}},
            }
        }
        params = params_for(folder, sources)
        inputs, problems, _, _ = check_sources(params.data_dir, params.sources, fiscal_year=2026)
        assert problems == []
        pd.testing.assert_frame_equal(
            inputs.customers.reset_index(drop=True), want.astype("str"), check_dtype=False
        )
        assert inputs.origins["customers"]["source"] == "exports/accounts.xlsx, sheet Accounts"

    def test_missing_sheet_with_a_suggestion(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=6)
        write_accounts_workbook(folder)
        lines = problems_of(folder, {"customers": {"file": "exports/accounts.xlsx", "sheet": "Acounts"}})
        assert lines == [
            "exports/accounts.xlsx: value 'Acounts': expected a sheet of the workbook ('Read me', 'Accounts')"
            " — did you mean 'Accounts'?"
        ]

    def test_lookup_that_finds_nothing_or_two_people(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=6)
        people = read(folder, "people")
        sales = people.index[people["function"] == "sales"]
        people.loc[sales[1], "name"] = people.loc[sales[0], "name"]  # two people of one name
        people.to_csv(folder / "people.csv", index=False)
        customers = read(folder, "customers")
        names = dict(zip(read(folder, "people")["person_id"], people["name"], strict=True))
        customers["account_owner"] = customers["account_owner"].map(names)
        customers.loc[0, "account_owner"] = "Nobody Atall"
        twin = people.loc[sales[0], "name"]
        customers.loc[1, "account_owner"] = twin
        customers.to_csv(folder / "crm.csv", index=False)
        (folder / "customers.csv").unlink()
        lines = problems_of(
            folder,
            {"customers": {"file": "crm.csv", "lookup": {"account_owner": {"from": "people", "by": "name"}}}},
        )
        assert lines[0] == (
            "crm.csv, row 2, column account_owner: value 'Nobody Atall': expected a name listed in people "
            "(to look account_owner up)"
        ) or lines[0].startswith(
            "crm.csv, row 2, column account_owner: value 'Nobody Atall': expected a name listed in people"
        )
        ids = ", ".join(people.loc[[sales[0], sales[1]], "person_id"])
        assert lines[1] == (
            f"crm.csv, row 3, column account_owner: value {twin!r}: expected one people row of name {twin!r} "
            f"to look account_owner up, found 2 ({ids}): map it by id instead"
        )


# --------------------------------------------------------------------------- bad sources


class TestBadSources:
    def test_missing_file(self, company: Path) -> None:
        lines = problems_of(company, {"actuals": orders_source(file="exports/nope.csv")})
        assert lines == [f"exports/nope.csv: expected a file that exists ({company / 'exports/nope.csv'})"]

    def test_unknown_source_column_with_a_suggestion(self, company: Path) -> None:
        columns = {**ORDER_COLUMNS, "month": "Order Dat"}
        lines = problems_of(company, {"actuals": orders_source(columns=columns)})
        assert lines == [
            "exports/orders.csv, row 1, column 'Order Dat' (month): expected a column 'Order Dat' in the source"
            " — did you mean 'Order Date'?"
        ]

    def test_contract_column_the_mapping_does_not_give(self, company: Path) -> None:
        columns = {k: v for k, v in ORDER_COLUMNS.items() if k != "channel"}
        lines = problems_of(company, {"actuals": orders_source(columns=columns)})
        assert lines == [
            "exports/orders.csv, row 1, column channel: expected a source column for the contract column "
            "channel of actuals: name it under sources.actuals.columns.channel"
        ]

    def test_where_on_an_unknown_column(self, company: Path) -> None:
        lines = problems_of(company, {"actuals": orders_source(where={"Contry": "United States"})})
        assert lines == [
            "exports/orders.csv, row 1, column Contry: expected a column 'Contry' in the source for where: "
            "Contry — did you mean 'Country'?"
        ]

    def test_bad_date_and_amount_name_the_source_row_and_column(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=30)
        path = write_orders(folder)
        lines = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert len(lines) > 1842 and lines.loc[[10, 1842], "Country"].eq("United States").all()
        lines.loc[1842, "Order Date"] = "2017-13-01"
        lines.loc[10, "Sales"] = "12,50"
        lines.to_csv(path, index=False)
        got = problems_of(folder, {"actuals": orders_source()})
        assert got == [
            "exports/orders.csv, row 12, column 'Sales' (revenue): value '12,50': expected an amount such as "
            "1234.50 (no thousands separators, no units)",
            "exports/orders.csv, row 1844, column 'Order Date' (month): value '2017-13-01': expected a date or "
            "a YYYY-MM month",
        ]

    def test_contract_checks_name_the_source(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=6)
        path = write_orders(folder)
        lines = pd.read_csv(path, dtype=str, keep_default_na=False)
        lines.loc[6, "Customer ID"] = "C99999"
        lines.to_csv(path, index=False)
        got = problems_of(folder, {"actuals": orders_source()})
        assert got == [
            "exports/orders.csv, row 8, column 'Customer ID' (customer_id): value 'C99999': expected a "
            "customer_id listed in customers"
        ]

    def test_inputs_never_written(self, tmp_path: Path) -> None:
        folder = make_company(tmp_path / "data", customers=6)
        write_orders(folder)
        before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        params = params_for(folder, {"actuals": orders_source()})
        check_sources(params.data_dir, params.sources, fiscal_year=2026)
        after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        assert before == after

    def test_load_raises_input_error(self, company: Path) -> None:
        from alignment.loading import check_with_data

        params = params_for(company, {"actuals": orders_source(file="exports/nope.csv")}, fiscal_year=2026)
        with pytest.raises(InputError, match="exports/nope.csv"):
            check_with_data(params)


def test_params_yaml_round_trip_keeps_sources(tmp_path: Path) -> None:
    p = params_for(tmp_path, {"actuals": orders_source()})
    again = parse_params(yaml.safe_load(p.to_yaml()), tmp_path / "elsewhere")
    assert again.sources == p.sources  # data_dir is recorded absolute, files relative to it


# --------------------------------------------------------------------------- properties of the sums


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2025-01-03", "2025-01-31", "2025-02-14", "2025-02"]),
            st.sampled_from(["C1", "C2", "C10"]),
            st.sampled_from(["P1", "P2"]),
            st.sampled_from(["Direct", "Online"]),
            st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_summed_rows_equal_decimal_sums_rounded_once(lines: list[tuple]) -> None:
    """Every contract row is the exact decimal sum of its order lines, rounded half away from zero."""
    from decimal import ROUND_HALF_UP, Decimal

    import pyarrow as pa

    from alignment.sources.mapping import map_read
    from alignment.sources.readers import Read
    from alignment.sources.spec import Source

    table = pa.table(
        {
            "month": [x[0] for x in lines],
            "customer_id": [x[1] for x in lines],
            "product_id": [x[2] for x in lines],
            "channel": [x[3] for x in lines],
            "revenue": [format(x[4], "f") for x in lines],
        }
    )
    read_ = Read(table=table, header=table.column_names, first_row=2, digest="", kind="file")
    take = {c: c for c in table.column_names}
    mapped, problems = map_read(Source(stem="actuals", file="x.csv"), read_, take, {})
    assert problems == [] and mapped is not None
    want: dict[tuple, Decimal] = {}
    first: dict[tuple, int] = {}
    for i, (day, c, p, ch, amount) in enumerate(lines):
        key = (day[:7], c, p, ch)
        want[key] = want.get(key, Decimal(0)) + amount
        first.setdefault(key, i + 2)
    expected = {
        k: int((v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100).to_integral_value())
        for k, v in sorted(want.items())
    }
    frame = mapped.frame
    got_keys = list(
        zip(frame["month"], frame["customer_id"], frame["product_id"], frame["channel"], strict=True)
    )
    assert got_keys == list(expected)  # sorted by the key columns, one row per key
    assert [round(v * 100) for v in frame["revenue"]] == list(expected.values())
    assert mapped.rows.tolist() == [first[k] for k in expected]
