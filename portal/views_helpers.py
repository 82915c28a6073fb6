from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_validation_errors(form, error: ValidationError) -> None:
    """Put a model ValidationError raised by a service onto the form, by field where possible."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(None if field == NON_FIELD_ERRORS else target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def save_form(form, save):
    """For a bound form: call ``save(cleaned_data)`` if the form is valid and return its result.
    A stale version or a model ValidationError from the service lands on the form (which keeps
    what the user typed) and None is returned."""
    from portal.concurrency import StaleObjectError

    if not form.is_bound or not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except StaleObjectError as conflict:
        form.add_error(None, conflict.message)
        form.refresh_version(conflict.current)
    except ValidationError as error:
        add_validation_errors(form, error)
    return None
