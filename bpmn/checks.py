"""Start-up checks: models parse and are safe, each task is bound to an action and back, time is UTC."""
from django.conf import settings
from django.core.checks import Error, Tags, register

from bpmn import model_checks, parser
from bpmn.errors import ModelValidationError
from bpmn.hooks import HOOKS


def user_tasks(process_ids=None) -> list[tuple[str, str]]:
    """Return (process id, task id) of every user task in the model files."""
    sources = parser.read_model_files()
    found = []
    for process_id in process_ids or parser.process_ids(sources):
        spec, subprocess_specs = parser.load_specs(process_id, sources)
        for process_spec in [spec, *subprocess_specs.values()]:
            for task_spec in process_spec.task_specs.values():
                if task_spec.manual:
                    found.append((process_spec.name, task_spec.bpmn_id))
    return sorted(set(found))


@register(Tags.compatibility)
def check_time_zone(app_configs, **kwargs):
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        return [Error("TIME_ZONE must be 'UTC' with USE_TZ = True", id="bpmn.E001")]
    return []


@register(Tags.compatibility)
def check_models_parse(app_configs, **kwargs):
    try:
        model_checks.check_models(parser.read_model_files())  # parses every spec, then its expressions
    except ModelValidationError as exc:
        return [Error(str(exc), id="bpmn.E002")]
    return []


@register(Tags.compatibility)
def check_tasks_bound(app_configs, **kwargs):
    try:
        tasks = user_tasks()
    except ModelValidationError:
        return []  # reported by bpmn.E002
    return [
        Error(f"user task {p}.{t} has no bound action", id="bpmn.E003")
        for p, t in tasks
        if (p, t) not in HOOKS.actions
    ]


@register(Tags.compatibility)
def check_bound_tasks_exist(app_configs, **kwargs):
    # Task ids come from the model files: an action bound to a task no model has would never run.
    try:
        tasks = set(user_tasks())
    except ModelValidationError:
        return []  # reported by bpmn.E002
    return [
        Error(f"an action is bound to {p}.{t}, which no model file has as a user task", id="bpmn.E004")
        for p, t in sorted(HOOKS.actions)
        if (p, t) not in tasks
    ]
