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
