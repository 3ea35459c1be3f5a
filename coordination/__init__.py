"""Maillage: the coordination platform of a territorial digital-inclusion network."""
from flask import Flask

from coordination.config import check, config_from_env


def create_app(config=None) -> Flask:
    app = Flask(__name__)
    app.config.from_object(config or config_from_env())
    check(app.config)
    register_needs(app)
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_language_rules(app)
    register_cli(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_template_filters(app)
    register_signals(app)
    return app


def register_needs(app):
    """The needs vocabulary, read and checked once: a bad file stops the start (French message naming the line)."""
    from coordination.directory import search
    search.needs.activate(app.config.get("NEEDS_FILE") or None, check=search.build_needs_index)


def register_logging(app):
    from coordination.logging import assign_request_id, configure_logging
    configure_logging(app)
    app.before_request(assign_request_id)
    from coordination.security import refuse_control_characters
    app.before_request(refuse_control_characters)  # before CSRF, the login and every view


def register_extensions(app):
    from coordination import models  # noqa: F401 - every model is mapped before first use
    from coordination.auth.services import load_user
    from coordination.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config.get("MIGRATIONS_DIR", _migrations_dir())))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
    from coordination.web import i18n
    i18n.init_app(app)


def _migrations_dir():
    from coordination.config import ROOT
    return ROOT / "migrations"


def register_blueprints(app):
    from coordination.assets import bp as assets_bp
    from coordination.dashboard.views import bp as dashboard_bp
    from coordination.auth.views import bp as auth_bp
    from coordination.freshness.views import bp as freshness_bp
    from coordination.moderation.views import bp as moderation_bp
    from coordination.directory.views import bp as directory_bp
    from coordination.events.views import bp as events_bp
    from coordination.ops import bp as ops_bp
    from coordination.referrals.views import bp as referrals_bp
    from coordination.site.views import bp as site_bp
    from export.api import bp as api_bp
    from coordination.directory.imports.views import bp as opendata_import_bp
    from export.views import bp as opendata_bp

    for blueprint in (ops_bp, assets_bp, auth_bp, directory_bp, moderation_bp, freshness_bp, dashboard_bp, events_bp, referrals_bp, opendata_bp, api_bp,
                      opendata_import_bp, site_bp):
        app.register_blueprint(blueprint)


def register_language_rules(app):
    from coordination.web.i18n import add_language_rules
    add_language_rules(app)


def register_cli(app):
    from coordination.auth.cli import users_cli
    from coordination.directory.cli import demo_cli, search_cli
    from coordination.mail.cli import mail_cli
    from coordination.events.cli import events_cli
    from coordination.referrals.cli import referrals_cli
    from coordination.scheduler import scheduler_cli
    from coordination.directory.imports.cli import import_command
    from export.cli import opendata_cli

    for group in (users_cli, demo_cli, search_cli, mail_cli, scheduler_cli, opendata_cli, referrals_cli,
                  events_cli):
        app.cli.add_command(group)
    opendata_cli.add_command(import_command, "import")


def register_error_handlers(app):
    from coordination.errors import register_error_handlers as register
    register(app)


def register_security_headers(app):
    from coordination.security import add_security_headers, rate_limit_headers
    app.after_request(add_security_headers)
    app.after_request(rate_limit_headers)


def register_template_filters(app):
    from coordination.core.clock import date_fr, datetime_fr
    from coordination.core.french import de, time_fr, typography
    app.add_template_filter(date_fr)
    app.add_template_filter(datetime_fr)
    app.add_template_filter(de)  # {{ organisation.name|de }}: « des Connecteurs », « d'Emmaüs Connect »
    app.add_template_filter(time_fr)
    app.add_template_filter(typography)  # French text that does not come from the catalogue (data tables)
    from coordination.core.validators import format_phone, format_pivot
    app.add_template_filter(format_phone, "phone_fr")  # {{ "+33228457561"|phone_fr }}: « 02 28 45 75 61 »
    app.add_template_filter(format_pivot, "pivot_fr")  # a SIRET grouped: « 123 456 789 00012 »
    from coordination.web.listing import list_url, sort_changes
    app.add_template_global(list_url)  # the coordination lists' paging and sorting links (_list_macros.html)
    app.add_template_global(sort_changes)


def register_signals(app):
    from coordination.directory.services import connect_signals
    from coordination.freshness.services import connect_signals as connect_freshness_signals
    connect_signals()
    connect_freshness_signals()
