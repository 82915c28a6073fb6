"""A realistic demo: あおば市 (17 operations, 10 departments, 4 vendors) and the small みなみ町."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from migration import services as migration_services
from migration.models import MigrationProject, ProcedureStep, StepProgress, TargetOperation
from portal.calendar import fiscal_year, fiscal_year_bounds, wareki_fiscal_year
from portal.models import Department, Municipality, User
from vendors.models import Contract, Vendor

Status = StepProgress.Status

AOBA = {"name": "あおば市", "code": "462900", "prefecture": "鹿児島県", "kind": Municipality.Kind.CITY}
MINAMI = {
    "name": "みなみ町",
    "code": "465909",
    "prefecture": "鹿児島県",
    "kind": Municipality.Kind.TOWN_VILLAGE,
}

# department → operation numbers it owns
AOBA_DEPARTMENTS = [
    ("デジタル推進課", True, []),
    ("市民課", False, [1]),
    ("選挙管理委員会事務局", False, [2]),
    ("税務課", False, [3, 4, 5, 6]),
    ("保険年金課", False, [7, 8, 10]),
    ("長寿介護課", False, [11]),
    ("社会福祉課", False, [9, 13]),
    ("子育て支援課", False, [12, 16, 17]),
    ("健康増進課", False, [14]),
    ("学校教育課", False, [15]),
]
MINAMI_DEPARTMENTS = [("総務課", True, []), ("町民福祉課", False, [1, 4, 11])]

VENDORS = [
    ("株式会社みらい自治体システムズ", "4340001012345", "鹿児島県鹿児島市中央町1-1"),
    ("さくら電算株式会社", "6010001023456", "東京都千代田区丸の内2-2"),
    ("北斗情報サービス株式会社", "8260001034567", "福岡県福岡市博多区博多駅前3-3"),
    ("東和ITソリューションズ株式会社", "1180001045678", "熊本県熊本市中央区水前寺4-4"),
]
# vendor index, package, operations, contract end (months from today), pattern, system name
AOBA_CONTRACTS = [
    (0, "MIRAI総合行政システム", [1, 2, 3, 4, 5, 6, 7, 8, 10], 5, "B", "住民情報システム"),
    (1, "さくら福祉総合システム", [9, 11, 12, 13, 16, 17], 3, "A", "福祉総合システム"),
    (2, "ほくと健康管理システム", [14], 14, "B", "健康管理システム"),
    (3, "学齢簿管理システム", [15], 8, "A", "学齢簿システム"),
]
# operation → target go-live in months from today (negative: already live)
GO_LIVE = {1: -8, 2: -8, 3: -2, 4: -2, 5: -2, 6: -2, 7: 2, 8: 2, 10: 2, 9: 5, 11: 5, 12: 5,
           16: 5, 17: 5, 13: 16, 14: 3, 15: 7}  # fmt: skip
DIFFICULT = {
    13: "現行ベンダが標準準拠システムを提供しない方針で、代替ベンダの目途が立っていないため（移行困難システム③）。"
}
LATE = {7: "finish", 15: "start"}  # 国保: a step overran its end; 就学: a step started late
ON_HOLD = {16: 17}  # 児童扶養手当: step 17 on hold (議会日程)

USERS = [
    ("dx", "山田", "花子", User.Role.DX_OFFICE, "デジタル推進課"),
    ("dept", "佐藤", "一郎", User.Role.DEPARTMENT, "市民課"),
    ("tax", "鈴木", "次郎", User.Role.DEPARTMENT, "税務課"),
    ("manager", "高橋", "誠", User.Role.MANAGER, None),
]


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, 28))


class Command(BaseCommand):
    help = "デモ用の団体・部署・利用者・ベンダ・移行案件を作成します（何度実行しても同じ状態になります）。"

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo", help="デモ利用者のパスワード（既定: demo）")
        parser.add_argument("--force", action="store_true", help="DEBUG が無効でも実行する")

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG が無効です。本番環境でデモデータを作る場合は --force を付けてください。")
        today = timezone.localdate()
        with transaction.atomic():
            users = self.seed(today=today, password=password)
        self.stdout.write(self.style.SUCCESS("デモデータを用意しました。ログインできる利用者:"))
        for user in users:
            where = user.municipality or user.vendor or user.oversight_group or "全団体"
            self.stdout.write(f"  {user.username:10s} {user.get_role_display():6s} {where}")
        self.stdout.write(f"パスワード: {password}")

    def seed(self, *, today: dt.date, password: str) -> list[User]:
        vendors = [
            Vendor.objects.update_or_create(
                corporate_number=number,
                defaults={"name": name, "address": address, "contact_email": "info@example.jp"},
            )[0]
            for name, number, address in VENDORS
        ]
        aoba, aoba_departments = self.municipality(AOBA, AOBA_DEPARTMENTS)
        minami, minami_departments = self.municipality(MINAMI, MINAMI_DEPARTMENTS)

        users = [self.user("admin", "管理", "者", None, None, None, password, superuser=True)]
        for username, last, first, role, department in USERS:
            users.append(self.user(username, last, first, role, aoba, aoba_departments.get(department), password))
        users.append(self.user("vendor", "田中", "健", User.Role.VENDOR, None, None, password, vendor=vendors[0]))
        users.append(
            self.user(
                "other_dx",
                "中村",
                "美咲",
                User.Role.DX_OFFICE,
                minami,
                minami_departments["総務課"],
                password,
            )
        )
        dx = users[1]
        other_dx = users[-1]
        from portal.models import OversightGroup

        group, _ = OversightGroup.objects.update_or_create(
            name="鹿児島県（デモ）", defaults={"kind": OversightGroup.Kind.PREFECTURE}
        )
        group.municipalities.set([aoba, minami])
        users.append(self.user("pref", "小林", "聡", User.Role.OVERSIGHT, None, None, password, oversight_group=group))

        owner = {op: dep for name, _, ops in AOBA_DEPARTMENTS for op in ops for dep in [aoba_departments[name]]}
        for vendor_index, package, operations, end_months, pattern, system in AOBA_CONTRACTS:
            contract, _ = Contract.objects.get_or_create(
                municipality=aoba,
                vendor=vendors[vendor_index],
                package_name=package,
                defaults={"start_date": dt.date(2019, 4, 1), "end_date": add_months(today, end_months)},
            )
            for number in operations:
                project = self.project(
                    dx, aoba, number, owner[number], vendors[vendor_index], contract, pattern, system
                )
                contract.projects.add(project)
                self.plan_steps(dx, project, today)

        minami_contract, _ = Contract.objects.get_or_create(
            municipality=minami,
            vendor=vendors[0],
            package_name="MIRAI総合行政システム（小規模版）",
            defaults={"start_date": dt.date(2020, 4, 1), "end_date": add_months(today, 4)},
        )
        owner = {op: minami_departments[name] for name, _, ops in MINAMI_DEPARTMENTS for op in ops}
        for number in (1, 4, 11):
            project = self.project(
                other_dx, minami, number, owner[number], vendors[0], minami_contract, "B", "総合行政システム"
            )
            minami_contract.projects.add(project)
            self.plan_steps(other_dx, project, today)
        self.seed_activity(aoba=aoba, departments=aoba_departments, users=users, vendors=vendors, today=today)
        return users

    def seed_activity(self, *, aoba, departments, users, vendors, today):
        """Last month's reports, register items, a baseline, council sessions, a Fit & Gap analysis and an
        RFI — once, when あおば市 has none of them yet."""
        from migration import services as ms
        from migration.models import MonthlyReport, RiskIssue

        if MonthlyReport.objects.filter(project__municipality=aoba).exists():
            return
        dx, dept, tax = users[1], users[2], users[3]
        last_month = ms.previous_month(ms.month_start(today))
        projects = {p.operation.number: p for p in MigrationProject.objects.filter(municipality=aoba)}
        # 住民基本台帳: accepted; 個人住民税: submitted; 固定資産税: returned; 法人住民税: draft; the rest missing.
        for number, actor, state in (
            (1, dept, "accepted"),
            (4, tax, "submitted"),
            (3, tax, "returned"),
            (5, tax, "draft"),
        ):
            report = ms.create_report(actor=actor, project=projects[number], month=last_month)
            report = ms.save_report(
                actor=actor,
                report=report,
                expected_version=report.version,
                data={
                    "work_done": "標準準拠システム稼働後の運用確認、帳票の確認を行った。",
                    "next_plan": "条例・規則の改正内容を確認する。",
                    "overall_status": "on_track",
                },
                meetings=[{"date": ms.month_end(today), "party": "現行ベンダ", "purpose": "稼働後の課題確認"}],
            )
            if state != "draft":
                report = ms.submit_report(actor=actor, report=report, expected_version=report.version)
            if state == "accepted":
                ms.accept_report(actor=dx, report=report, expected_version=report.version)
            if state == "returned":
                ms.return_report(
                    actor=dx,
                    report=report,
                    expected_version=report.version,
                    comment="次月の打合せ予定の目的を具体的に記入してください。",
                )
        if not RiskIssue.objects.filter(municipality=aoba).exists():
            ms.create_risk_issue(
                actor=dx,
                project=projects[7],
                other_departments=[departments["税務課"]],
                data={
                    "kind": "issue",
                    "importance": "high",
                    "raised_on": today - dt.timedelta(days=45),
                    "due_date": today - dt.timedelta(days=5),
                    "due_reason": "予算要求に影響するため",
                    "description": "国保システムと住民記録システムの過渡期連携（異動連携のデータ変換）の方式が未確定。",
                    "work_item": "16. 既存環境の設定変更",
                    "involves_dx_office": True,
                    "involves_vendor": True,
                    "category": "transition",
                    "status": "in_progress",
                },
            )
            ms.create_risk_issue(
                actor=dx,
                project=projects[13],
                data={
                    "kind": "risk",
                    "importance": "high",
                    "raised_on": today - dt.timedelta(days=20),
                    "due_date": today + dt.timedelta(days=40),
                    "due_reason": "ベンダ選定の前提となるため",
                    "description": "代替ベンダの候補が見つからず、個別期限までに移行できないおそれがある。",
                    "involves_dx_office": True,
                    "category": "schedule",
                },
            )
            ms.create_risk_issue(
                actor=dx,
                project=projects[15],
                data={
                    "kind": "issue",
                    "importance": "medium",
                    "raised_on": today - dt.timedelta(days=10),
                    "description": "学齢簿の文字同定で外字が約300字残っている。",
                    "category": "other",
                    "involves_vendor": True,
                },
            )
        self.seed_schedules(aoba=aoba, dx=dx, today=today)
        self.seed_fitgap(aoba=aoba, dx=dx, project=projects[1])
        self.seed_rfi(aoba=aoba, dx=dx, vendors=vendors, project=projects[13], today=today)

    def seed_schedules(self, *, aoba, dx, today):
        from schedules import services as ss
        from schedules.models import Baseline

        if Baseline.objects.filter(municipality=aoba).exists():
            return
        ss.create_baseline(actor=dx, municipality=aoba, name=f"{wareki_fiscal_year(fiscal_year(today))}当初計画")
        year = today.year
        for month, number in ((3, 1), (6, 2), (9, 3), (12, 4)):
            ss.save_milestone(
                actor=dx,
                municipality=aoba,
                data={
                    "kind": "council",
                    "name": f"第{number}回定例会",
                    "date": dt.date(year, month, 1),
                    "end_date": dt.date(year, month, 20),
                },
            )

    def seed_fitgap(self, *, aoba, dx, project):
        from pathlib import Path

        from django.core.files.uploadedfile import SimpleUploadedFile

        from fitgap import services as fs

        sample = Path(settings.BASE_DIR) / "fixtures" / "fitgap" / "SAMPLE_住民記録_要件一覧.csv"
        catalogue, _diff = fs.import_catalogue(
            actor=dx,
            municipality=aoba,
            operation=project.operation,
            title="住民記録システム標準仕様書（サンプル）",
            version_label="サンプル第1版",
            file=SimpleUploadedFile(sample.name, sample.read_bytes()),
        )
        fs.start_analysis(actor=dx, project=project, catalogue=catalogue)

    def seed_rfi(self, *, aoba, dx, vendors, project, today):
        from vendors import services as vs

        rfi = vs.create_rfi(
            actor=dx,
            municipality=aoba,
            title="生活保護システムの標準準拠システム提供に関する情報提供依頼",
            deadline=today + dt.timedelta(days=14),
            projects=[project],
            vendors=[vendors[0], vendors[3]],
            description="移行困難システムとなった生活保護システムについて、提供予定と概算費用を伺います。",
        )
        vs.send_rfi(actor=dx, rfi=rfi, expected_version=rfi.version)

    def municipality(self, data, departments):
        municipality, _ = Municipality.objects.update_or_create(code=data["code"], defaults=data)
        result = {}
        for order, (name, is_dx, _ops) in enumerate(departments, start=1):
            result[name], _ = Department.objects.update_or_create(
                municipality=municipality, name=name, defaults={"is_dx_office": is_dx, "sort_order": order}
            )
        return municipality, result

    def user(
        self,
        username,
        last,
        first,
        role,
        municipality,
        department,
        password,
        *,
        vendor=None,
        superuser=False,
        oversight_group=None,
    ):
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "last_name": last,
                "first_name": first,
                "role": role or User.Role.DX_OFFICE,
                "municipality": municipality,
                "vendor": vendor,
                "email": f"{username}@example.jp",
                "is_staff": superuser,
                "is_superuser": superuser,
                "oversight_group": oversight_group,
            },
        )
        user.set_password(password)
        user.save()
        if department:
            user.departments.set([department])
        return user

    def project(self, actor, municipality, number, department, vendor, contract, pattern, system):
        operation = TargetOperation.objects.get(number=number)
        existing = MigrationProject.objects.filter(municipality=municipality, operation=operation).first()
        if existing:
            return existing
        today = timezone.localdate()
        go_live = add_months(today, GO_LIVE.get(number, 6))
        fields = {
            "current_system_name": system,
            "current_vendor": vendor,
            "current_contract": contract,
            "migration_pattern": pattern,
            "approach": MigrationProject.Approach.SHIFT_AT_ONCE,
            "gov_cloud_use": MigrationProject.GovCloudUse.SINGLE,
            "target_go_live": go_live,
        }
        if number in DIFFICULT and municipality.code == AOBA["code"]:
            start, end = fiscal_year_bounds(fiscal_year(go_live))
            fields.update(is_difficult=True, difficult_reason=DIFFICULT[number], individual_deadline=end)
        project = migration_services.create_project(
            actor=actor, municipality=municipality, operation=operation, department=department, **fields
        )
        project._new = True
        return project

    def plan_steps(self, actor, project, today):
        """Lay the steps backwards from the go-live with the 手順書's shortest durations, then set
        statuses as they would stand today."""
        if not getattr(project, "_new", False):
            return
        end = project.target_go_live
        steps = {p.step.number: p for p in project.step_progress.select_related("step")}
        for number in sorted(steps, reverse=True):
            progress = steps[number]
            if progress.status == Status.NOT_APPLICABLE:
                continue
            step: ProcedureStep = progress.step
            start = add_months(end, -(step.typical_months_min or 1))
            progress.planned_start, progress.planned_end = start, end - dt.timedelta(days=1)
            end = start
        jitter = project.operation.number % 5
        late_kind = LATE.get(project.operation.number) if project.municipality.code == AOBA["code"] else None
        finished = [n for n, p in steps.items() if p.status != Status.NOT_APPLICABLE and p.planned_end < today]
        overrun = max(finished, default=None) if late_kind == "finish" else None
        for number in sorted(steps):
            progress = steps[number]
            if progress.status == Status.NOT_APPLICABLE:
                continue
            data = {"planned_start": progress.planned_start, "planned_end": progress.planned_end}
            if progress.planned_end < today:
                data.update(
                    status=Status.DONE,
                    actual_start=progress.planned_start + dt.timedelta(days=jitter),
                    actual_end=min(progress.planned_end + dt.timedelta(days=jitter), today),
                )
            elif progress.planned_start <= today:
                span = max((progress.planned_end - progress.planned_start).days, 1)
                data.update(
                    status=Status.IN_PROGRESS,
                    actual_start=progress.planned_start,
                    percent_done=min(95, (today - progress.planned_start).days * 100 // span),
                )
            if number == overrun:
                data.update(status=Status.IN_PROGRESS, actual_end=None, percent_done=80)
            if late_kind == "start" and data.get("status") == Status.IN_PROGRESS:
                data.update(actual_start=min(progress.planned_start + dt.timedelta(days=21), today))
            if ON_HOLD.get(project.operation.number) == number and "status" not in data:
                data.update(status=Status.ON_HOLD, note="議会の会期日程を調整中のため保留")
            migration_services.update_step_progress(
                actor=actor, progress=progress, expected_version=progress.version, data=data
            )
            progress.refresh_from_db()
