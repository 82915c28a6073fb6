"""Japanese is the default; English is a translation (locale/en)."""


def test_english_is_available_as_a_translation(client, users, resident_project):
    client.force_login(users["dx"])
    japanese = client.get(f"/projects/{resident_project.id}/").content.decode()
    assert "作業手順の進捗" in japanese and 'lang="ja"' in japanese
    client.post("/i18n/setlang/", {"language": "en", "next": "/projects/"})
    english = client.get(f"/projects/{resident_project.id}/").content.decode()
    assert 'lang="en"' in english and "Procedure steps" in english and "作業手順の進捗" not in english
