"""MarketingService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.marketing.v1 import marketing_pb2 as pb
from crm.marketing.v1 import marketing_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from marketing import mappers as m
from marketing.service_layer import (
    campaigns,
    consents,
    engagements,
    reports,
    scoring_rules,
    segments,
    sends,
    sequences,
    templates,
)
from marketing.service_layer.deps import AccessResolver, MarketingDeps

Context: TypeAlias = grpc.aio.ServicerContext


class MarketingServicer(marketing_pb2_grpc.MarketingServiceServicer):
    def __init__(self, deps: MarketingDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    # ---- segments ----

    async def CreateSegment(self, request: pb.CreateSegmentRequest, context: Context) -> pb.Segment:
        data = m.segment_input(request.segment)
        return m.segment_to_pb(await segments.create_segment(data, await self._ctx(), self._deps))

    async def GetSegment(self, request: pb.GetSegmentRequest, context: Context) -> pb.Segment:
        row = await segments.get_segment(parse_uuid(request.id), await self._ctx(), self._deps)
        return m.segment_to_pb(row)

    async def ListSegments(
        self, request: pb.ListSegmentsRequest, context: Context
    ) -> pb.ListSegmentsResponse:
        page = await segments.list_segments(
            await self._ctx(), self._deps, limit=request.page.limit,
            cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListSegmentsResponse(
            items=[m.segment_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    async def UpdateSegment(self, request: pb.UpdateSegmentRequest, context: Context) -> pb.Segment:
        row = await segments.update_segment(
            parse_uuid(request.id), m.segment_input(request.segment), request.expected_version,
            await self._ctx(), self._deps,
        )  # fmt: skip
        return m.segment_to_pb(row)

    async def DeleteSegment(
        self, request: pb.DeleteSegmentRequest, context: Context
    ) -> pb.DeleteResponse:
        await segments.delete_segment(parse_uuid(request.id), await self._ctx(), self._deps)
        return pb.DeleteResponse()

    async def ListSegmentMembers(
        self, request: pb.ListSegmentMembersRequest, context: Context
    ) -> pb.ListProspectsResponse:
        page = await segments.segment_members(
            parse_uuid(request.id), await self._ctx(), self._deps,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListProspectsResponse(
            items=[m.prospect_to_pb(v) for v in page.items], page=m.page_to_pb(page)
        )

    # ---- scoring ----

    async def CreateScoringRule(
        self, request: pb.CreateScoringRuleRequest, context: Context
    ) -> pb.ScoringRule:
        row = await scoring_rules.create_rule(
            m.rule_input(request.rule), await self._ctx(), self._deps
        )
        return m.rule_to_pb(row)

    async def GetScoringRule(
        self, request: pb.GetScoringRuleRequest, context: Context
    ) -> pb.ScoringRule:
        row = await scoring_rules.get_rule(parse_uuid(request.id), await self._ctx(), self._deps)
        return m.rule_to_pb(row)

    async def ListScoringRules(
        self, request: pb.ListScoringRulesRequest, context: Context
    ) -> pb.ListScoringRulesResponse:
        page = await scoring_rules.list_rules(
            await self._ctx(), self._deps, limit=request.page.limit,
            cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListScoringRulesResponse(
            items=[m.rule_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    async def UpdateScoringRule(
        self, request: pb.UpdateScoringRuleRequest, context: Context
    ) -> pb.ScoringRule:
        row = await scoring_rules.update_rule(
            parse_uuid(request.id), m.rule_input(request.rule), request.expected_version,
            await self._ctx(), self._deps,
        )  # fmt: skip
        return m.rule_to_pb(row)

    async def DeleteScoringRule(
        self, request: pb.DeleteScoringRuleRequest, context: Context
    ) -> pb.DeleteResponse:
        await scoring_rules.delete_rule(parse_uuid(request.id), await self._ctx(), self._deps)
        return pb.DeleteResponse()

    async def GetMarketingSettings(
        self, request: pb.GetMarketingSettingsRequest, context: Context
    ) -> pb.MarketingSettings:
        return m.settings_to_pb(await scoring_rules.get_settings(await self._ctx(), self._deps))

    async def UpdateMarketingSettings(
        self, request: pb.UpdateMarketingSettingsRequest, context: Context
    ) -> pb.MarketingSettings:
        r = request
        settings = await scoring_rules.update_settings(
            r.mql_threshold if r.HasField("mql_threshold") else None,
            r.mails_per_minute if r.HasField("mails_per_minute") else None,
            r.timezone if r.HasField("timezone") else None,
            expected=r.expected_version, ctx=await self._ctx(), deps=self._deps,
        )  # fmt: skip
        return m.settings_to_pb(settings)

    # ---- engagements ----

    async def CreateEngagement(
        self, request: pb.CreateEngagementRequest, context: Context
    ) -> pb.Engagement:
        row = await engagements.create_engagement(
            m.engagement_input(request), await self._ctx(), self._deps
        )
        return m.engagement_to_pb(row)

    async def ListEngagements(
        self, request: pb.ListEngagementsRequest, context: Context
    ) -> pb.ListEngagementsResponse:
        prospect = m.opt_uuid(request.lead_id, "lead_id") or m.opt_uuid(
            request.contact_id, "contact_id"
        )
        page = await engagements.list_engagements(
            await self._ctx(), self._deps, prospect, limit=request.page.limit,
            cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListEngagementsResponse(
            items=[m.engagement_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    # ---- consent ----

    async def SetConsent(self, request: pb.SetConsentRequest, context: Context) -> pb.Consent:
        row = await consents.set_consent(
            request.email, request.status, request.reason, await self._ctx(), self._deps
        )
        return m.consent_to_pb(row)

    async def ListConsents(
        self, request: pb.ListConsentsRequest, context: Context
    ) -> pb.ListConsentsResponse:
        page = await consents.list_consents(
            await self._ctx(), self._deps, request.status, request.email,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListConsentsResponse(
            items=[m.consent_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    # ---- templates ----

    async def CreateEmailTemplate(
        self, request: pb.CreateEmailTemplateRequest, context: Context
    ) -> pb.EmailTemplate:
        row = await templates.create_template(
            m.template_input(request.template), await self._ctx(), self._deps
        )
        return m.template_to_pb(row)

    async def GetEmailTemplate(
        self, request: pb.GetEmailTemplateRequest, context: Context
    ) -> pb.EmailTemplate:
        row = await templates.get_template(parse_uuid(request.id), await self._ctx(), self._deps)
        return m.template_to_pb(row)

    async def ListEmailTemplates(
        self, request: pb.ListEmailTemplatesRequest, context: Context
    ) -> pb.ListEmailTemplatesResponse:
        page = await templates.list_templates(
            await self._ctx(), self._deps, limit=request.page.limit,
            cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListEmailTemplatesResponse(
            items=[m.template_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    async def UpdateEmailTemplate(
        self, request: pb.UpdateEmailTemplateRequest, context: Context
    ) -> pb.EmailTemplate:
        row = await templates.update_template(
            parse_uuid(request.id), m.template_input(request.template),
            request.expected_version, await self._ctx(), self._deps,
        )  # fmt: skip
        return m.template_to_pb(row)

    async def DeleteEmailTemplate(
        self, request: pb.DeleteEmailTemplateRequest, context: Context
    ) -> pb.DeleteResponse:
        await templates.delete_template(parse_uuid(request.id), await self._ctx(), self._deps)
        return pb.DeleteResponse()

    # ---- campaigns ----

    async def CreateCampaign(
        self, request: pb.CreateCampaignRequest, context: Context
    ) -> pb.Campaign:
        values = m.campaign_values(request.campaign)
        row = await campaigns.create_campaign(values, await self._ctx(), self._deps)
        return m.campaign_to_pb(row)

    async def GetCampaign(self, request: pb.GetCampaignRequest, context: Context) -> pb.Campaign:
        row = await campaigns.get_campaign(parse_uuid(request.id), await self._ctx(), self._deps)
        return m.campaign_to_pb(row)

    async def ListCampaigns(
        self, request: pb.ListCampaignsRequest, context: Context
    ) -> pb.ListCampaignsResponse:
        page = await campaigns.list_campaigns(
            await self._ctx(), self._deps, request.status, request.type,
            limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListCampaignsResponse(
            items=[m.campaign_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    async def UpdateCampaign(
        self, request: pb.UpdateCampaignRequest, context: Context
    ) -> pb.Campaign:
        row = await campaigns.update_campaign(
            parse_uuid(request.id), m.campaign_values(request.campaign),
            request.expected_version, await self._ctx(), self._deps,
        )  # fmt: skip
        return m.campaign_to_pb(row)

    async def DeleteCampaign(
        self, request: pb.DeleteCampaignRequest, context: Context
    ) -> pb.DeleteResponse:
        await campaigns.delete_campaign(parse_uuid(request.id), await self._ctx(), self._deps)
        return pb.DeleteResponse()

    async def AddCampaignMembers(
        self, request: pb.AddCampaignMembersRequest, context: Context
    ) -> pb.AddCampaignMembersResponse:
        added = await campaigns.add_members(
            parse_uuid(request.campaign_id, "campaign_id"),
            m.uuids(request.lead_ids, "lead_ids"), m.uuids(request.contact_ids, "contact_ids"),
            m.opt_uuid(request.segment_id, "segment_id"), ctx=await self._ctx(), deps=self._deps,
        )  # fmt: skip
        return pb.AddCampaignMembersResponse(
            added=added.added, already=added.already, unknown_ids=added.unknown
        )

    async def ListCampaignMembers(
        self, request: pb.ListCampaignMembersRequest, context: Context
    ) -> pb.ListCampaignMembersResponse:
        page = await campaigns.list_members(
            parse_uuid(request.campaign_id, "campaign_id"), request.status, await self._ctx(),
            self._deps, limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListCampaignMembersResponse(
            items=[m.member_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    async def UpdateCampaignMember(
        self, request: pb.UpdateCampaignMemberRequest, context: Context
    ) -> pb.CampaignMember:
        row = await campaigns.update_member(
            parse_uuid(request.campaign_id, "campaign_id"),
            parse_uuid(request.member_id, "member_id"), request.status, await self._ctx(),
            self._deps,
        )  # fmt: skip
        return m.member_to_pb(row)

    async def RemoveCampaignMember(
        self, request: pb.RemoveCampaignMemberRequest, context: Context
    ) -> pb.DeleteResponse:
        await campaigns.remove_member(
            parse_uuid(request.campaign_id, "campaign_id"),
            parse_uuid(request.member_id, "member_id"), await self._ctx(), self._deps,
        )  # fmt: skip
        return pb.DeleteResponse()

    async def LaunchCampaign(
        self, request: pb.LaunchCampaignRequest, context: Context
    ) -> pb.Campaign:
        row = await campaigns.launch(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return m.campaign_to_pb(row)

    async def CompleteCampaign(
        self, request: pb.CompleteCampaignRequest, context: Context
    ) -> pb.Campaign:
        row = await campaigns.complete(
            parse_uuid(request.id), request.expected_version, await self._ctx(), self._deps
        )
        return m.campaign_to_pb(row)

    async def GetCampaignReport(
        self, request: pb.GetCampaignReportRequest, context: Context
    ) -> pb.CampaignReport:
        report = await reports.campaign_report(
            parse_uuid(request.id), await self._ctx(), self._deps
        )
        return m.report_to_pb(report)

    # ---- sequences ----

    async def CreateSequence(
        self, request: pb.CreateSequenceRequest, context: Context
    ) -> pb.Sequence:
        data = m.sequence_input(request.sequence, creating=True)
        return m.sequence_to_pb(
            await sequences.create_sequence(data, await self._ctx(), self._deps)
        )

    async def GetSequence(self, request: pb.GetSequenceRequest, context: Context) -> pb.Sequence:
        row = await sequences.get_sequence(parse_uuid(request.id), await self._ctx(), self._deps)
        return m.sequence_to_pb(row)

    async def ListSequences(
        self, request: pb.ListSequencesRequest, context: Context
    ) -> pb.ListSequencesResponse:
        page = await sequences.list_sequences(
            await self._ctx(), self._deps, limit=request.page.limit,
            cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListSequencesResponse(
            items=[m.sequence_to_pb(r) for r in page.items], page=m.page_to_pb(page)
        )

    async def UpdateSequence(
        self, request: pb.UpdateSequenceRequest, context: Context
    ) -> pb.Sequence:
        row = await sequences.update_sequence(
            parse_uuid(request.id), m.sequence_input(request.sequence, creating=False),
            request.expected_version, await self._ctx(), self._deps,
        )  # fmt: skip
        return m.sequence_to_pb(row)

    async def DeleteSequence(
        self, request: pb.DeleteSequenceRequest, context: Context
    ) -> pb.DeleteResponse:
        await sequences.delete_sequence(parse_uuid(request.id), await self._ctx(), self._deps)
        return pb.DeleteResponse()

    async def EnrollInSequence(
        self, request: pb.EnrollInSequenceRequest, context: Context
    ) -> pb.EnrollInSequenceResponse:
        result = await sequences.enroll(
            parse_uuid(request.sequence_id, "sequence_id"),
            m.uuids(request.lead_ids, "lead_ids"), m.uuids(request.contact_ids, "contact_ids"),
            await self._ctx(), self._deps,
        )  # fmt: skip
        return pb.EnrollInSequenceResponse(
            enrolled=[m.enrollment_to_pb(e) for e in result.enrolled],
            already=result.already, unknown_ids=result.unknown,
        )  # fmt: skip

    async def ListEnrollments(
        self, request: pb.ListEnrollmentsRequest, context: Context
    ) -> pb.ListEnrollmentsResponse:
        page = await sequences.list_enrollments(
            parse_uuid(request.sequence_id, "sequence_id"), request.status, await self._ctx(),
            self._deps, limit=request.page.limit, cursor=request.page.cursor or None,
        )  # fmt: skip
        return pb.ListEnrollmentsResponse(
            items=[m.enrollment_to_pb(e) for e in page.items], page=m.page_to_pb(page)
        )

    async def StopEnrollment(
        self, request: pb.StopEnrollmentRequest, context: Context
    ) -> pb.Enrollment:
        row = await sequences.stop_enrollment(
            parse_uuid(request.sequence_id, "sequence_id"),
            parse_uuid(request.enrollment_id, "enrollment_id"), await self._ctx(), self._deps,
        )  # fmt: skip
        return m.enrollment_to_pb(row)

    # ---- public: the signed token is the credential (no principal needed) ----

    async def Unsubscribe(
        self, request: pb.PublicTokenRequest, context: Context
    ) -> pb.UnsubscribeResponse:
        email, status = await sends.unsubscribe(request.token, self._deps)
        return pb.UnsubscribeResponse(email=email, status=status)

    async def TrackOpen(self, request: pb.PublicTokenRequest, context: Context) -> pb.TrackResponse:
        await sends.track_open(request.token, self._deps)
        return pb.TrackResponse()

    async def TrackClick(self, request: pb.TrackClickRequest, context: Context) -> pb.TrackResponse:
        return pb.TrackResponse(url=await sends.track_click(request.token, request.url, self._deps))
