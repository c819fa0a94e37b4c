"""Stage 3 of the annotation cascade (optional): an LLM labels what the cheaper stages could not decide.

`LLMStage.annotate(items)` sends the reviews in batches (`batch_size` per request) to Azure OpenAI or any
OpenAI-compatible chat-completions server, with the taxonomy's system prompt, the nearest labeled examples
and a strict JSON-schema response format (`prompt.py`). Every answer is validated (the `Annotation` model
and `validate_against_taxonomy`): a malformed answer, a missing item or a category outside the taxonomy
leaves that item `None`, never a made-up label. It returns one `Annotation | None` per input, in order;
None means "no valid LLM answer" and the cascade falls back to its earlier stages or to people.

Operational guards:
- Retries are ours (the client runs with `max_retries=0`): exponential backoff with jitter on 429, 5xx,
  timeouts and connection errors, honouring `retry-after-ms` / `Retry-After`; after `max_retries` retries
  the batch's items are None. 400 (bad request, content filter) and a truncated answer split the batch in
  halves, so one poisoned review does not sink its neighbours; 401/403/404 stop the stage for the run.
- Cost: tokens from each response's `usage` are priced per 1k tokens; once the run's cost reaches
  `budget_usd`, remaining items are not sent (None, counted in `usage.budget_skipped`).
- Cache: validated answers are stored by sha256(redacted text, prompt version, model, taxonomy version)
  (`llm_cache.py`); hits and duplicate texts skip the call.
- Privacy: only `AnnotationInput.text` (already PII-redacted upstream) and its rating, source and language
  are sent; the API key is a `SecretStr`, never logged, never in a repr.

Configuration comes from the environment (`LLMConfig.from_env`); with no LLM configured the stage is off.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import openai
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from triage_platform.lib.annotate.llm_cache import LLMCache, cache_key
from triage_platform.lib.annotate.prompt import (
    OUTPUT_FIELDS,
    PROMPT_VERSION,
    FewShotSelector,
    build_messages,
    build_system_prompt,
    response_format,
    review_payload,
)
from triage_platform.lib.annotate.schema import (
    NO_ISSUE,
    Annotation,
    AnnotationInput,
    validate_against_taxonomy,
)
from triage_platform.lib.annotate.taxonomy import Taxonomy

log = logging.getLogger(__name__)

DEFAULT_AZURE_API_VERSION = "2024-10-21"
"""Azure OpenAI data-plane API version used when OPENAI_API_VERSION is not set (GA, structured outputs)."""

NEEDS_HUMAN_BELOW = 0.5
"""An LLM annotation whose own confidence is below this goes to people (`needs_human`)."""

MAX_RATIONALE_CHARS = 500
"""Longer rationales are cut: they are for humans skimming a queue."""

PLACEHOLDER_API_KEY = "not-needed"
"""Key sent to an OpenAI-compatible server configured without OPENAI_API_KEY (local servers ignore it)."""

RETRYABLE_STATUS = frozenset({408, 409, 429})
"""Retried HTTP statuses besides every 5xx."""

FATAL_STATUS = frozenset({401, 403, 404})
"""Statuses that no retry or other batch can fix (bad key, no access, unknown deployment/model)."""

_ANSWER_FIELDS = tuple(name for name in OUTPUT_FIELDS if name != "id")


class LLMConfig(BaseModel):
    """How to reach the LLM and how much it may cost. `repr` and logs never show the key."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    provider: Literal["azure", "openai"] = "openai"
    endpoint: str | None = Field(
        default=None,
        validation_alias=AliasChoices("endpoint", "base_url", "azure_endpoint"),
        description="Azure resource endpoint (https://<name>.openai.azure.com) or the OpenAI-compatible "
        "base URL (http://host:port/v1); None = api.openai.com.",
    )
    api_key: SecretStr
    model: str = Field(
        min_length=1,
        validation_alias=AliasChoices("model", "deployment"),
        description="Model name, or the deployment name on Azure.",
    )
    api_version: str = Field(default=DEFAULT_AZURE_API_VERSION, description="Azure only.")
    batch_size: int = Field(default=8, ge=1, le=100, description="Reviews per request.")
    max_retries: int = Field(default=4, ge=0, le=20, description="Retries per request after the first try.")
    timeout_s: float = Field(default=30.0, gt=0, description="Timeout of one request.")
    budget_usd: float = Field(default=1.0, ge=0, description="Most a run may spend; then items are not sent.")
    price_input_per_1k: float = Field(default=0.00015, ge=0, description="USD per 1k prompt tokens.")
    price_output_per_1k: float = Field(default=0.0006, ge=0, description="USD per 1k completion tokens.")
    temperature: float = Field(default=0.0, ge=0, le=2)
    few_shot_k: int = Field(default=4, ge=0, le=32, description="Labeled examples per request.")
    response_format: Literal["json_schema", "json_object"] = Field(
        default="json_schema",
        description="`json_schema` (strict structured outputs) or `json_object` for servers without it.",
    )
    backoff_base_s: float = Field(default=1.0, gt=0, description="First backoff; doubles per retry.")
    backoff_max_s: float = Field(default=30.0, gt=0, description="Longest backoff without Retry-After.")
    max_wait_s: float = Field(
        default=120.0, gt=0, description="Longest Retry-After honoured; a longer one gives the batch up."
    )

    @model_validator(mode="after")
    def _azure_needs_endpoint(self) -> LLMConfig:
        if self.provider == "azure" and not self.endpoint:
            raise ValueError("provider 'azure' needs an endpoint (AZURE_OPENAI_ENDPOINT)")
        return self

    @property
    def deployment(self) -> str:
        """The Azure deployment name (same as `model`)."""
        return self.model

    @property
    def base_url(self) -> str | None:
        """The endpoint (OpenAI-compatible base URL or Azure resource endpoint)."""
        return self.endpoint

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """USD cost of a call with these token counts."""
        return input_tokens / 1000 * self.price_input_per_1k + output_tokens / 1000 * self.price_output_per_1k

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LLMConfig | None:
        """The LLM settings of the environment, or None when no LLM is configured (stage off).

        - Azure OpenAI when AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and AZURE_OPENAI_DEPLOYMENT are set
          (OPENAI_API_VERSION optional, default `DEFAULT_AZURE_API_VERSION`);
        - else an OpenAI-compatible server when TRIAGE_LLM_MODEL and OPENAI_BASE_URL or OPENAI_API_KEY are
          set (no key: a placeholder, for local servers);
        - else None.

        Optional tuning: TRIAGE_LLM_BUDGET_USD, TRIAGE_LLM_BATCH_SIZE, TRIAGE_LLM_MAX_RETRIES,
        TRIAGE_LLM_TIMEOUT_S, TRIAGE_LLM_PRICE_INPUT_PER_1K, TRIAGE_LLM_PRICE_OUTPUT_PER_1K,
        TRIAGE_LLM_FEW_SHOT_K, TRIAGE_LLM_RESPONSE_FORMAT. Raises `ValueError` naming the variable when a
        value is invalid (never echoing the key).
        """
        env = os.environ if env is None else env

        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        tuning = {field: get(name) for name, field in _ENV_TUNING.items() if get(name)}
        azure = {name: get(name) for name in _AZURE_VARS}
        if all(azure.values()):
            settings: dict[str, Any] = {
                "provider": "azure",
                "endpoint": azure["AZURE_OPENAI_ENDPOINT"],
                "api_key": azure["AZURE_OPENAI_API_KEY"],
                "model": azure["AZURE_OPENAI_DEPLOYMENT"],
                "api_version": get("OPENAI_API_VERSION") or DEFAULT_AZURE_API_VERSION,
            }
        else:
            if any(azure.values()):
                missing = [name for name, value in azure.items() if not value]
                log.warning(
                    "Azure OpenAI is partly configured (missing %s): not using Azure", ", ".join(missing)
                )
            model = get("TRIAGE_LLM_MODEL")
            base_url, api_key = get("OPENAI_BASE_URL"), get("OPENAI_API_KEY")
            if not model or not (base_url or api_key):
                if base_url or api_key:
                    log.info("OPENAI_BASE_URL/OPENAI_API_KEY set but TRIAGE_LLM_MODEL is not: LLM stage off")
                return None
            settings = {
                "provider": "openai",
                "endpoint": base_url or None,
                "api_key": api_key or PLACEHOLDER_API_KEY,
                "model": model,
            }
        try:
            return cls(**settings, **tuning)
        except ValidationError as exc:
            variables = {field: name for name, field in _ENV_TUNING.items()}
            problems = "; ".join(
                f"{variables.get(str(err['loc'][0]), err['loc'][0]) if err['loc'] else '<config>'}: {err['msg']}"
                for err in exc.errors()
            )
            raise ValueError(f"invalid LLM settings in the environment: {problems}") from None


_AZURE_VARS = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_DEPLOYMENT")

_ENV_TUNING = {
    "TRIAGE_LLM_BUDGET_USD": "budget_usd",
    "TRIAGE_LLM_BATCH_SIZE": "batch_size",
    "TRIAGE_LLM_MAX_RETRIES": "max_retries",
    "TRIAGE_LLM_TIMEOUT_S": "timeout_s",
    "TRIAGE_LLM_PRICE_INPUT_PER_1K": "price_input_per_1k",
    "TRIAGE_LLM_PRICE_OUTPUT_PER_1K": "price_output_per_1k",
    "TRIAGE_LLM_FEW_SHOT_K": "few_shot_k",
    "TRIAGE_LLM_RESPONSE_FORMAT": "response_format",
}
"""Optional environment variables -> `LLMConfig` fields."""


def make_client(config: LLMConfig) -> openai.OpenAI:
    """The `openai` client for a config, with the library's own retries off (the stage retries)."""
    common: dict[str, Any] = {
        "api_key": config.api_key.get_secret_value(),
        "max_retries": 0,
        "timeout": config.timeout_s,
    }
    if config.provider == "azure":
        return openai.AzureOpenAI(azure_endpoint=config.endpoint, api_version=config.api_version, **common)
    return openai.OpenAI(base_url=config.endpoint or None, **common)


def retry_after_seconds(headers: Mapping[str, str] | None, now: datetime | None = None) -> float | None:
    """Seconds a server asks us to wait: `retry-after-ms`, else `Retry-After` (seconds or HTTP date)."""
    if not headers:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            value = float(milliseconds) / 1000
            if value >= 0:
                return value
        except ValueError:
            pass
    seconds = headers.get("retry-after")
    if not seconds:
        return None
    try:
        value = float(seconds)
        return value if value >= 0 else None
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(seconds)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class LLMUsage:
    """Counters of one run of the stage (`LLMStage.reset_usage` starts a new run).

    `calls` counts requests sent (every attempt), `retries` the attempts after a first; `failures` counts
    items left None by errors or invalid answers, `budget_skipped` those not sent because the budget was
    spent; `answered` items validly annotated by a call, `cached_items` items served from the cache or by
    a duplicate text of the same run.
    """

    calls: int = 0
    retries: int = 0
    cached_items: int = 0
    answered: int = 0
    failures: int = 0
    budget_skipped: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain values (e.g. for Dagster metadata)."""
        return {**asdict(self), "cost_usd": round(self.cost_usd, 6)}


@dataclass(frozen=True)
class LLMCallRecord:
    """Accounting of one batch request (after its retries)."""

    items: int
    attempts: int
    status: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    seconds: float


# Why an item has no annotation (internal): the stage maps these onto the usage counters.
_BUDGET, _FAILED = "budget", "failed"


@dataclass
class _Outcome:
    """Result of one request: a completion, or why there is none (`split` = retry in halves)."""

    completion: Any = None
    error: str | None = None
    split: bool = False
    fatal: bool = False


class LLMStage:
    """The LLM stage of the annotation cascade for one taxonomy (see the module docstring).

    Usage and budget accumulate over the `annotate` calls of one instance (one run); `reset_usage` starts
    a new run. Not thread-safe: use one instance per thread.
    """

    def __init__(
        self,
        config: LLMConfig,
        taxonomy: Taxonomy,
        few_shot: FewShotSelector | None = None,
        cache: LLMCache | None = None,
        client: Any = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.taxonomy = taxonomy
        self.few_shot = few_shot
        self.cache = cache if cache is not None else LLMCache(None)
        self.client = client if client is not None else make_client(config)
        self.prompt_version = PROMPT_VERSION
        self.model_version = f"llm:{config.model}"
        self.taxonomy_version = taxonomy.fingerprint
        self.usage = LLMUsage()
        self.call_log: list[LLMCallRecord] = []
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._system_prompt = build_system_prompt(taxonomy)
        self._response_format = (
            response_format(taxonomy) if config.response_format == "json_schema" else {"type": "json_object"}
        )
        self._halted: str | None = None

    @classmethod
    def from_env(
        cls,
        taxonomy: Taxonomy,
        few_shot: FewShotSelector | None = None,
        env: Mapping[str, str] | None = None,
        cache: LLMCache | None = None,
    ) -> LLMStage | None:
        """The stage configured by the environment with the cache under TRIAGE_HOME, or None (stage off)."""
        config = LLMConfig.from_env(env)
        if config is None:
            return None
        return cls(
            config, taxonomy, few_shot=few_shot, cache=cache if cache is not None else LLMCache.default()
        )

    def __repr__(self) -> str:
        return (
            f"LLMStage({self.config.provider}, model={self.config.model!r}, taxonomy={self.taxonomy_version})"
        )

    def reset_usage(self) -> None:
        """Start a new run: zero the counters and the spent budget; re-enable a halted stage."""
        self.usage = LLMUsage()
        self.call_log = []
        self._halted = None

    def close(self) -> None:
        """Close the HTTP client."""
        close = getattr(self.client, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> LLMStage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------ public

    def annotate(
        self, items: Sequence[AnnotationInput], candidates: Sequence[Annotation | None] | None = None
    ) -> list[Annotation | None]:
        """One `Annotation | None` per item, in order (None: no valid answer, over budget, or stage halted).

        `candidates` are the earlier stages' annotations of the same items (same order, None allowed); the
        model sees their labels as a hint to verify, never their rationale.
        """
        items = list(items)
        if candidates is not None and len(candidates) != len(items):
            raise ValueError(f"{len(candidates)} candidates for {len(items)} items")
        results: list[Annotation | None] = [None] * len(items)
        before = replace(self.usage)
        keys = [
            cache_key(item.text, self.prompt_version, self.config.model, self.taxonomy_version)
            for item in items
        ]

        cached = self.cache.get_many(keys)
        pending: dict[str, list[int]] = {}
        for index, (item, key) in enumerate(zip(items, keys, strict=True)):
            if key in cached:
                try:
                    results[index] = self._build(item.id, cached[key])
                    self.usage.cached_items += 1
                    continue
                except (ValidationError, ValueError, KeyError, TypeError):
                    log.warning("ignoring an invalid LLM cache entry %s...", key[:12])
            pending.setdefault(key, []).append(index)

        unique = list(pending)
        for start in range(0, len(unique), self.config.batch_size):
            batch_keys = unique[start : start + self.config.batch_size]
            members = [
                (items[pending[key][0]], candidates[pending[key][0]] if candidates is not None else None)
                for key in batch_keys
            ]
            answers = self._run_batch(members)
            fresh: dict[str, dict[str, Any]] = {}
            for key, answer in zip(batch_keys, answers, strict=True):
                indices = pending[key]
                if isinstance(answer, dict):
                    fresh[key] = answer
                    for position, index in enumerate(indices):
                        results[index] = self._build(items[index].id, answer)
                        if position == 0:
                            self.usage.answered += 1
                        else:
                            self.usage.cached_items += 1
                elif answer == _BUDGET:
                    self.usage.budget_skipped += len(indices)
                else:
                    self.usage.failures += len(indices)
            self.cache.put_many(fresh)

        if items:
            done = self.usage
            if done.budget_skipped > before.budget_skipped:
                log.warning(
                    "LLM budget of $%.2f reached ($%.4f spent): %d reviews not sent",
                    self.config.budget_usd,
                    done.cost_usd,
                    done.budget_skipped - before.budget_skipped,
                )
            log.info(
                "LLM stage: %d items (%d cached, %d answered, %d failed, %d over budget); run so far: "
                "%d calls, %d retries, %d+%d tokens, $%.4f of $%.2f",
                len(items),
                done.cached_items - before.cached_items,
                done.answered - before.answered,
                done.failures - before.failures,
                done.budget_skipped - before.budget_skipped,
                done.calls,
                done.retries,
                done.input_tokens,
                done.output_tokens,
                done.cost_usd,
                self.config.budget_usd,
            )
        return results

    # ------------------------------------------------------------------------------------ batches

    def _over_budget(self) -> bool:
        return self.usage.cost_usd >= self.config.budget_usd

    def _run_batch(
        self, members: list[tuple[AnnotationInput, Annotation | None]]
    ) -> list[dict[str, Any] | str]:
        """Answers (validated fields) or a reason per member; splits the batch when the server asks."""
        if self._halted:
            return [_FAILED] * len(members)
        if self._over_budget():
            return [_BUDGET] * len(members)
        request_ids = [f"r{number}" for number in range(1, len(members) + 1)]
        payloads = [
            review_payload(item, request_id, _candidate_hint(candidate))
            for request_id, (item, candidate) in zip(request_ids, members, strict=True)
        ]
        examples = (
            self.few_shot.select([item for item, _ in members], self.config.few_shot_k)
            if self.few_shot is not None and self.config.few_shot_k
            else []
        )
        messages = build_messages(self.taxonomy, payloads, examples, system_prompt=self._system_prompt)
        outcome = self._request(messages, len(members))
        if outcome.split and len(members) > 1:
            half = (len(members) + 1) // 2
            log.info("splitting a batch of %d reviews after %s", len(members), outcome.error)
            return self._run_batch(members[:half]) + self._run_batch(members[half:])
        if outcome.completion is None:
            return [_FAILED] * len(members)
        return self._parse(outcome.completion, request_ids, [item for item, _ in members])

    def _request(self, messages: list[dict[str, str]], n_items: int) -> _Outcome:
        """One chat completion with our retry loop; accounts tokens, cost and the call record."""
        started = time.monotonic()
        attempts = 0
        outcome = _Outcome(error="not sent")
        for attempt in range(self.config.max_retries + 1):
            attempts += 1
            self.usage.calls += 1
            if attempt:
                self.usage.retries += 1
            retry_after: float | None = None
            try:
                completion = self.client.chat.completions.create(
                    model=self.config.model,
                    messages=messages,
                    temperature=self.config.temperature,
                    response_format=self._response_format,
                    timeout=self.config.timeout_s,
                )
                outcome = _Outcome(completion=completion)
                break
            except openai.APIStatusError as exc:
                status = exc.status_code
                reason = f"HTTP {status}"
                if status not in RETRYABLE_STATUS and status < 500:
                    outcome = _Outcome(
                        error=f"{reason}: {self._scrub(_error_message(exc))}",
                        split=status in (400, 413, 422),
                        fatal=status in FATAL_STATUS,
                    )
                    break
                retry_after = retry_after_seconds(exc.response.headers)
            except openai.APITimeoutError:
                reason = "timeout"
            except openai.APIConnectionError:
                reason = "connection error"
            except openai.OpenAIError as exc:  # e.g. an undecodable response body
                outcome = _Outcome(error=f"{type(exc).__name__}: {self._scrub(str(exc))}")
                break
            outcome = _Outcome(error=reason)
            if attempt == self.config.max_retries:
                log.warning("LLM request gave up after %d attempts (last: %s)", attempts, reason)
                break
            delay = self._delay(attempt, retry_after)
            if delay is None:
                log.warning(
                    "LLM request gave up: server asks to wait %.0fs (> max_wait_s %.0fs)",
                    retry_after,
                    self.config.max_wait_s,
                )
                break
            log.info(
                "LLM request %s; retry %d/%d in %.2fs", reason, attempt + 1, self.config.max_retries, delay
            )
            self._sleep(delay)

        input_tokens = output_tokens = 0
        if outcome.completion is not None:
            usage = getattr(outcome.completion, "usage", None)
            input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
            output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        cost = self.config.cost(input_tokens, output_tokens)
        self.usage.input_tokens += input_tokens
        self.usage.output_tokens += output_tokens
        self.usage.cost_usd += cost
        record = LLMCallRecord(
            items=n_items,
            attempts=attempts,
            status="ok" if outcome.completion is not None else (outcome.error or "failed"),
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=round(cost, 8),
            seconds=round(time.monotonic() - started, 3),
        )
        self.call_log.append(record)
        log.info(
            "LLM call: %d reviews, %s, %d attempt(s), %d+%d tokens, $%.5f, %.2fs",
            record.items,
            record.status,
            record.attempts,
            record.input_tokens,
            record.output_tokens,
            record.cost_usd,
            record.seconds,
        )
        if outcome.fatal:
            self._halted = outcome.error
            log.error("LLM stage halted for this run: %s", outcome.error)
        elif outcome.error and outcome.completion is None and not outcome.split:
            log.warning("LLM batch of %d reviews failed: %s", n_items, outcome.error)
        return outcome

    def _delay(self, attempt: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry `attempt + 1`; None when the server asks for more than max_wait_s."""
        backoff = min(self.config.backoff_max_s, self.config.backoff_base_s * 2**attempt)
        if retry_after is not None:
            if retry_after > self.config.max_wait_s:
                return None
            # never earlier than the server asked; a little jitter so parallel runs do not stampede
            return retry_after + self._rng.uniform(0, 0.1 * min(backoff, 1.0))
        return backoff / 2 + self._rng.uniform(0, backoff / 2)

    # ------------------------------------------------------------------------------------ answers

    def _parse(
        self, completion: Any, request_ids: list[str], items: list[AnnotationInput]
    ) -> list[dict[str, Any] | str]:
        """Validated fields per request id; `_FAILED` for items without a valid answer."""
        answers: list[dict[str, Any] | str] = [_FAILED] * len(request_ids)
        choice = completion.choices[0] if getattr(completion, "choices", None) else None
        message = getattr(choice, "message", None)
        content = getattr(message, "content", None)
        if getattr(message, "refusal", None) or not content:
            log.warning("LLM returned no content (refusal or empty) for %d reviews", len(request_ids))
            return answers
        finish = getattr(choice, "finish_reason", None)
        if finish in ("length", "content_filter"):
            if len(request_ids) > 1:
                return self._run_batch_halves(items, finish)
            log.warning("LLM answer cut (%s) for a single review", finish)
            return answers
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            log.warning("LLM returned malformed JSON for %d reviews: %s", len(request_ids), exc.msg)
            return answers
        entries = data.get("annotations") if isinstance(data, dict) else data
        if not isinstance(entries, list):
            log.warning("LLM answer has no 'annotations' list for %d reviews", len(request_ids))
            return answers
        position = {request_id: index for index, request_id in enumerate(request_ids)}
        seen: set[str] = set()
        for entry in entries:
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(entry_id, str) or entry_id not in position:
                log.info("ignoring an LLM annotation for an id not in the request: %r", str(entry_id)[:40])
                continue
            if entry_id in seen:
                continue
            seen.add(entry_id)
            index = position[entry_id]
            fields = {name: entry.get(name) for name in _ANSWER_FIELDS}
            try:
                annotation = self._build(items[index].id, fields)
            except (ValidationError, ValueError, TypeError) as exc:
                log.warning("rejected the LLM annotation of %s: %s", items[index].id, _first_line(exc))
                continue
            answers[index] = _answer_fields(annotation)
        missing = [items[position[request_id]].id for request_id in request_ids if request_id not in seen]
        if missing:
            log.warning("LLM answer misses %d of %d reviews: %s", len(missing), len(request_ids), missing[:5])
        return answers

    def _run_batch_halves(self, items: list[AnnotationInput], reason: str) -> list[dict[str, Any] | str]:
        log.info("splitting a batch of %d reviews after finish_reason=%s", len(items), reason)
        half = (len(items) + 1) // 2
        # candidates are dropped on this rare path: the halves are re-asked from the texts alone
        return self._run_batch([(item, None) for item in items[:half]]) + self._run_batch(
            [(item, None) for item in items[half:]]
        )

    def _build(self, item_id: str, fields: Mapping[str, Any]) -> Annotation:
        """An LLM annotation from the model's fields; raises when they break the schema or the taxonomy."""
        confidence = fields["confidence"]
        if isinstance(confidence, bool) or not isinstance(confidence, int | float):
            raise ValueError(f"confidence must be a number, not {confidence!r}")
        issue_types = fields["issue_types"]
        if not isinstance(issue_types, list):
            raise ValueError(f"issue_types must be a list, not {type(issue_types).__name__}")
        language = fields.get("language")
        language = language.strip().lower() if isinstance(language, str) and language.strip() else "und"
        rationale = fields.get("rationale")
        rationale = " ".join(rationale.split())[:MAX_RATIONALE_CHARS] if isinstance(rationale, str) else ""
        confidence = round(float(confidence), 4)
        annotation = Annotation(
            id=item_id,
            issue_types=issue_types,
            primary_issue=fields["primary_issue"],
            sentiment=fields["sentiment"],
            severity=fields["severity"],
            language=language,
            confidence=confidence,
            category_confidence={c: confidence for c in issue_types if isinstance(c, str)},
            rationale=rationale,
            needs_human=confidence < NEEDS_HUMAN_BELOW,
            stage="llm",
            model_version=self.model_version,
            prompt_version=self.prompt_version,
            taxonomy_version=self.taxonomy_version,
        )
        validate_against_taxonomy(annotation, self.taxonomy)
        if annotation.primary_issue != NO_ISSUE:
            annotation = annotation.model_copy(
                update={"owner": self.taxonomy.owner_of(annotation.primary_issue)}
            )
        return annotation

    def _scrub(self, text: str) -> str:
        """`text` with the API key masked (error bodies of some servers echo what they were sent)."""
        secret = self.config.api_key.get_secret_value()
        return text.replace(secret, "***") if len(secret) >= 4 else text


def _candidate_hint(candidate: Annotation | None) -> dict[str, Any] | None:
    """The labels of an earlier stage's annotation, as shown to the model (no rationale, no scores)."""
    if candidate is None:
        return None
    return {
        "issue_types": list(candidate.issue_types),
        "primary_issue": candidate.primary_issue,
        "severity": candidate.severity,
        "sentiment": candidate.sentiment,
    }


def _answer_fields(annotation: Annotation) -> dict[str, Any]:
    """What the cache keeps of a validated annotation (no id: one answer serves every identical text)."""
    return {name: getattr(annotation, name) for name in _ANSWER_FIELDS}


def _error_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict):
            return str(error.get("message") or error.get("code") or "")[:300]
    return str(exc.message)[:300]


def _first_line(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())[:300]
    return text.splitlines()[0][:300] if text else type(exc).__name__


__all__ = [
    "DEFAULT_AZURE_API_VERSION",
    "NEEDS_HUMAN_BELOW",
    "LLMCallRecord",
    "LLMConfig",
    "LLMStage",
    "LLMUsage",
    "make_client",
    "retry_after_seconds",
]
