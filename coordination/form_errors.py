"""A form mixin shared by the domains: a service's ``Invalid.errors`` shown next to the fields."""


class ServiceErrors:
    """Shows the errors a service raised (``Invalid.errors``) next to the fields; the others
    (no field of that name) in ``general_errors``."""

    def add_errors(self, errors: dict, message: str | None = None) -> None:
        self.general_errors = list(getattr(self, "general_errors", []))
        for name, messages in (errors or {}).items():
            target = self._fields.get(name)
            if target is not None and name != "csrf_token":
                target.errors = list(target.errors) + list(messages)
            else:
                self.general_errors.extend(messages)
        if not errors and message:
            self.general_errors.append(message)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or getattr(self, "general_errors", None))
