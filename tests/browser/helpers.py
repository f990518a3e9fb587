"""What the browser tests share: viewport sizes and signing in through the real form."""

from tests.factories import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, username, password=PASSWORD):
    """Sign in through the real form at /accounts/login/."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("main input[name=username]", username)
    page.fill("main input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"sign-in failed for {username}"
