package loadtest

// The word lists and sentence templates behind Generator. They were written
// for hotline to look like what reaches a provincial 1022 line; none of it is
// a real report.
//
// Templates use these placeholders, filled per report:
//
//	{street}  a street with its kind: "đường Lê Lợi", "Đại lộ Bình Dương"
//	{sname}   the same street as written in an address: "Lê Lợi"
//	{no}      a house number: "45", "45/3", "112A"
//	{alley}   an alley: "hẻm 45", "ngõ 52", "kiệt 12"
//	{place}   a landmark: "chợ", "trường mầm non"
//	{time}    since when: "từ 19h tối qua", "đã 3 ngày nay"

// topic is one kind of problem citizens call about.
type topic struct {
	weight     int
	categories []string // preferred category codes, best first
	titles     []string
	problems   []string // the heart of the report, starting lower-case, no final stop
	details    []string // full sentences that add facts
	requests   []string // what the citizen asks for, full sentences
	shorts     []string // a whole terse chat message, lower-case
	question   bool     // a question rather than a problem on the street
}

var topics = []topic{
	{
		weight:     12,
		categories: []string{"ha_tang_giao_thong", "an_toan_giao_thong"},
		titles:     []string{"Ổ gà nguy hiểm trên {street}", "Mặt đường {sname} hư hỏng", "Đề nghị trám vá ổ gà"},
		problems: []string{
			"mặt đường {sname} đoạn trước số nhà {no} có nhiều ổ gà lớn, có chỗ sâu khoảng 20 cm",
			"đoạn {street} gần {place} bị sụt lún, xuất hiện ổ gà liên tiếp ngay giữa làn xe máy",
			"sau đợt thi công đường ống, {street} đoạn trước {place} bị đào lên rồi trả mặt bằng tạm bợ, nay thành ổ gà",
			"ổ gà trên {street} {time} ngày càng rộng ra",
		},
		details: []string{
			"Trời mưa nước đọng lại nên người đi đường không nhìn thấy, đã có mấy người bị té ngã.",
			"Buổi tối đoạn này thiếu ánh sáng, xe máy sụp ổ gà rất nguy hiểm.",
			"Xe tải chạy qua thường xuyên nên ổ gà mỗi ngày một to hơn.",
			"Người dân đã tự lấy gạch vụn lấp tạm nhưng xe chạy qua một hôm lại bong ra.",
		},
		requests: []string{
			"Đề nghị cơ quan chức năng sớm cho trám vá mặt đường.",
			"Mong đơn vị quản lý đường bộ kiểm tra và khắc phục sớm trước khi xảy ra tai nạn.",
		},
		shorts: []string{"ổ gà to lắm ở {street}, nguy hiểm quá", "{street} chỗ {place} ổ gà sâu lắm, tối qua có người té"},
	},
	{
		weight:     10,
		categories: []string{"thoat_nuoc_ngap"},
		titles:     []string{"Ngập nước kéo dài trên {street}", "Cống thoát nước bị nghẹt", "Ngập nước ở {alley} {sname}"},
		problems: []string{
			"mỗi khi mưa lớn, {street} đoạn từ số {no} đến ngã tư gần {place} lại ngập nước sâu",
			"khu vực {alley} {sname} bị ngập nước {time}, nước tràn cả vào nhà dân",
			"cống thoát nước trên {street} bị nghẹt, mưa chỉ khoảng 30 phút là đường ngập",
			"sau cơn mưa chiều qua, đoạn {street} trước {place} ngập gần nửa mét",
		},
		details: []string{
			"Nước ngập tới nửa bánh xe, nhiều xe máy chết máy giữa đường.",
			"Học sinh đi học phải lội nước, phụ huynh rất lo lắng.",
			"Miệng cống bị rác và lá cây che kín nên nước không thoát được.",
			"Nước rút rất chậm, phải mấy tiếng sau mới đi lại được.",
		},
		requests: []string{
			"Đề nghị nạo vét cống và có giải pháp chống ngập lâu dài cho khu vực này.",
			"Mong cơ quan chức năng xuống kiểm tra hệ thống thoát nước.",
		},
		shorts: []string{"{street} lại ngập nữa rồi, xe chết máy hàng loạt", "mưa có chút xíu mà {alley} {sname} ngập tới gối"},
	},
	{
		weight:     9,
		categories: []string{"chieu_sang_cay_xanh"},
		titles:     []string{"Đèn đường không sáng", "Đèn chiếu sáng trên {street} bị hư", "Hẻm tối do đèn hư"},
		problems: []string{
			"đèn đường trên tuyến {street} đoạn gần {place} bị hư, không sáng {time}",
			"cả dãy đèn chiếu sáng trong {alley} {sname} bị tắt",
			"đèn đường trước nhà số {no} {sname} chập chờn, lúc sáng lúc tắt",
		},
		details: []string{
			"Buổi tối đường tối om, người dân đi lại rất lo bị cướp giật.",
			"Khu này có nhiều công nhân đi ca đêm về muộn.",
			"Trước đây tôi đã báo tổ trưởng khu phố nhưng chưa thấy ai đến sửa.",
		},
		requests: []string{
			"Đề nghị đơn vị quản lý chiếu sáng công cộng kiểm tra, sửa chữa.",
			"Mong sớm thay bóng đèn để bà con đi lại an toàn.",
		},
		shorts: []string{"đèn đường {street} hư hết rồi, tối thui", "đèn trong {alley} {sname} tắt {time}"},
	},
	{
		weight:     12,
		categories: []string{"ve_sinh_rac", "o_nhiem"},
		titles:     []string{"Rác thải tồn đọng", "Đổ rác bừa bãi trên {street}", "Chưa thu gom rác"},
		problems: []string{
			"có người đổ rác thải bừa bãi tại bãi đất trống cạnh {place} trên {street}",
			"rác thải ở điểm tập kết đầu {alley} {sname} không được thu gom {time}",
			"xe thu gom rác không đến khu dân cư trên {street} {time}",
			"ban đêm có xe ba gác chở xà bần đến đổ trộm trên vỉa hè {street}",
		},
		details: []string{
			"Rác bốc mùi hôi thối, ruồi muỗi rất nhiều, ảnh hưởng sức khỏe người dân.",
			"Có cả xà bần và rác công nghiệp lẫn trong đống rác.",
			"Trời mưa nước rỉ từ rác chảy tràn ra đường.",
		},
		requests: []string{
			"Đề nghị cho thu gom và xử lý người đổ rác không đúng nơi quy định.",
			"Mong phường bố trí lại lịch thu gom rác cho khu vực này.",
		},
		shorts: []string{"rác đầu {alley} {sname} thúi quá, {time} ko ai dọn", "ai đổ rác ở {place} {street} kìa"},
	},
	{
		weight:     10,
		categories: []string{"tieng_on", "an_ninh_trat_tu"},
		titles:     []string{"Hát karaoke gây ồn", "Tiếng ồn ban đêm", "Karaoke loa kéo ảnh hưởng khu dân cư"},
		problems: []string{
			"nhà số {no} {sname} hát karaoke bằng loa kéo rất lớn {time}",
			"quán nhậu gần {place} trên {street} mở nhạc và hát karaoke đến khuya",
			"một nhóm thanh niên tụ tập hát karaoke ở {alley} {sname} gây ồn ào",
		},
		details: []string{
			"Hát đến hơn 23h vẫn chưa dừng, người già và trẻ nhỏ không ngủ được.",
			"Tôi đã góp ý trực tiếp nhưng họ vẫn không chấp hành.",
			"Ngày nào cũng vậy, cuối tuần còn hát từ trưa.",
		},
		requests: []string{
			"Đề nghị công an phường kiểm tra, xử lý theo quy định.",
			"Mong chính quyền nhắc nhở để bà con được nghỉ ngơi.",
		},
		shorts: []string{"karaoke nhà {no} {sname} hát tới 12h đêm, ko ngủ dc", "{alley} {sname} hát karaoke ồn quá trời"},
	},
	{
		weight:     8,
		categories: []string{"trat_tu_do_thi", "an_toan_giao_thong"},
		titles:     []string{"Lấn chiếm vỉa hè", "Buôn bán lấn chiếm lòng đường {street}"},
		problems: []string{
			"các hộ kinh doanh trên {street} lấn chiếm vỉa hè để bày bán hàng hóa và để xe",
			"quán cà phê số {no} {sname} kê bàn ghế lấn chiếm hết vỉa hè và một phần lòng đường",
			"chợ tự phát trước {place} trên {street} họp lấn ra cả lòng đường",
		},
		details: []string{
			"Người đi bộ phải đi xuống lòng đường, rất nguy hiểm.",
			"Tình trạng này diễn ra hằng ngày, nhất là giờ tan tầm.",
			"Lực lượng chức năng đến thì dọn, đi rồi lại bày ra như cũ.",
		},
		requests: []string{
			"Đề nghị lực lượng trật tự đô thị xử lý dứt điểm.",
			"Mong phường lập lại trật tự vỉa hè cho người đi bộ.",
		},
		shorts: []string{"vỉa hè {street} bị lấn chiếm hết, đi bộ ko dc"},
	},
	{
		weight:     8,
		categories: []string{"cap_nuoc"},
		titles:     []string{"Cúp nước không báo trước", "Nước sinh hoạt yếu và đục"},
		problems: []string{
			"khu vực {street} bị cúp nước {time} mà không có thông báo trước",
			"nước máy tại nhà số {no} {sname} rất yếu, chỉ chảy nhỏ giọt, có lúc bị đục và có mùi lạ",
			"đường ống nước trước {place} trên {street} bị bể, nước chảy lênh láng {time}",
		},
		details: []string{
			"Gia đình có người già và con nhỏ nên sinh hoạt rất khó khăn.",
			"Gọi tổng đài công ty cấp nước nhiều lần nhưng không liên lạc được.",
			"Hóa đơn tiền nước tháng này vẫn tính đủ dù cúp nước nhiều ngày.",
		},
		requests: []string{
			"Đề nghị công ty cấp nước cho biết khi nào có nước trở lại.",
			"Mong đơn vị cấp nước kiểm tra chất lượng nước cho khu vực.",
		},
		shorts: []string{"cúp nước {time} rồi, bao giờ mới có vậy", "nhà mình ở {street} ko có nước {time}"},
	},
	{
		weight:     8,
		categories: []string{"dien"},
		titles:     []string{"Mất điện kéo dài", "Dây điện võng thấp nguy hiểm", "Trụ điện nghiêng"},
		problems: []string{
			"khu phố tôi ở {street} bị mất điện {time}",
			"dây điện trước nhà số {no} {sname} bị võng thấp, có lúc phát ra tia lửa",
			"trụ điện gần {place} trên {street} bị nghiêng, dây điện chằng chịt",
		},
		details: []string{
			"Trời nắng nóng, nhà có người bệnh nên rất cần điện.",
			"Điện chập chờn làm hư cả tủ lạnh của gia đình.",
			"Gần đó là trường học, trẻ em đi qua lại hằng ngày.",
		},
		requests: []string{
			"Đề nghị điện lực kiểm tra và khắc phục sớm.",
			"Mong ngành điện thông báo lịch cắt điện để người dân chủ động.",
		},
		shorts: []string{"cúp điện {time} mà ko thông báo gì hết", "dây điện ở {street} võng xuống sát đầu người"},
	},
	{
		weight:     10,
		categories: []string{"hanh_chinh_cong", "can_bo", "dat_dai"},
		titles:     []string{"Hồ sơ trễ hẹn", "Lỗi khi nộp hồ sơ trực tuyến", "Phản ánh về thủ tục hành chính"},
		problems: []string{
			"hồ sơ cấp giấy chứng nhận quyền sử dụng đất nộp tại Trung tâm phục vụ hành chính công từ tháng trước đã quá hẹn nhưng chưa có kết quả",
			"việc đăng ký khai sinh cho con trên Cổng dịch vụ công bị lỗi, hệ thống không cho nộp hồ sơ",
			"khi đến phường chứng thực giấy tờ thì bị yêu cầu bổ sung nhiều lần, mỗi lần một yêu cầu khác nhau",
			"hồ sơ xin cấp phép xây dựng nhà ở tại số {no} {sname} nộp đã lâu mà chưa được giải quyết",
		},
		details: []string{
			"Tôi phải xin nghỉ làm để đi lại nhiều lần, rất mất thời gian.",
			"Cán bộ tiếp nhận không hướng dẫn rõ ràng ngay từ đầu.",
			"Khi hỏi thì chỉ được trả lời là đang chờ ký.",
		},
		requests: []string{
			"Đề nghị cho biết hồ sơ đang ở khâu nào và khi nào có kết quả.",
			"Mong được hướng dẫn đầy đủ một lần để không phải đi lại nhiều.",
		},
		shorts: []string{"nộp hồ sơ online báo lỗi hoài, ai chỉ giúp với"},
	},
	{
		weight:     8,
		categories: []string{"hanh_chinh_cong", "lao_dong_an_sinh", "y_te_attp", "khac"},
		question:   true,
		titles:     []string{"Hỏi về thủ tục", "Xin được tư vấn", "Câu hỏi của người dân"},
		problems: []string{
			"cho tôi hỏi sau khi sáp nhập phường thì địa chỉ trên căn cước có phải làm lại không",
			"tôi muốn hỏi thủ tục đăng ký tạm trú cho người thuê trọ cần những giấy tờ gì",
			"cho hỏi lịch tiêm chủng mở rộng cho trẻ dưới 1 tuổi tại trạm y tế phường",
			"xin hỏi hồ sơ hưởng trợ cấp thất nghiệp nộp ở đâu và trong thời hạn bao lâu",
			"tôi muốn hỏi nhà ở {alley} {sname} có được cấp phép sửa chữa, nâng tầng không",
		},
		details: []string{
			"Tôi đã tìm trên mạng nhưng mỗi nơi nói một kiểu.",
			"Tôi mới chuyển về đây sinh sống nên chưa rõ.",
		},
		requests: []string{
			"Mong được hướng dẫn cụ thể.",
			"Xin cảm ơn và mong sớm nhận được trả lời.",
		},
		shorts: []string{"cho hỏi làm căn cước cho con ở đâu vậy", "hỏi chút, đóng bhyt hộ gia đình ở đâu"},
	},
	{
		weight:     3,
		categories: []string{"chieu_sang_cay_xanh", "nong_nghiep_thien_tai"},
		titles:     []string{"Cây xanh có nguy cơ ngã đổ", "Cây gãy nhánh trên {street}"},
		problems: []string{
			"cây xanh trước nhà số {no} {sname} bị nghiêng, rễ bật lên làm nứt vỉa hè",
			"sau trận giông chiều qua, một nhánh cây lớn trên {street} gần {place} bị gãy, treo lơ lửng",
		},
		details: []string{
			"Mùa mưa bão sắp tới, người dân sợ cây ngã đè người và xe.",
			"Bên dưới là chỗ phụ huynh đứng đón con.",
		},
		requests: []string{"Đề nghị đơn vị quản lý cây xanh cắt tỉa hoặc đốn hạ kịp thời."},
		shorts:   []string{"cây trên {street} sắp ngã rồi, ai xử lý giùm"},
	},
	{
		weight:     4,
		categories: []string{"o_nhiem"},
		titles:     []string{"Ô nhiễm mùi hôi", "Khói bụi từ cơ sở sản xuất"},
		problems: []string{
			"cơ sở sản xuất gần {place} trên {street} xả khói và mùi hôi nồng nặc {time}",
			"nước thải từ một cơ sở ở {alley} {sname} chảy thẳng ra mương, bốc mùi",
		},
		details: []string{
			"Mùi nặng nhất vào ban đêm, cả khu phải đóng kín cửa.",
			"Nhiều trẻ nhỏ trong khu bị ho kéo dài.",
		},
		requests: []string{"Đề nghị cơ quan tài nguyên và môi trường kiểm tra, xử lý."},
		shorts:   []string{"mùi hôi ở {street} {time}, ngột ngạt quá"},
	},
}

// streets pairs a street as spoken ("đường Lê Lợi") with its address form.
var streets = [][2]string{
	{"đường Lê Lợi", "Lê Lợi"},
	{"đường Nguyễn Trãi", "Nguyễn Trãi"},
	{"Đại lộ Bình Dương", "Đại lộ Bình Dương"},
	{"đường Trần Hưng Đạo", "Trần Hưng Đạo"},
	{"đường Cách Mạng Tháng Tám", "Cách Mạng Tháng Tám"},
	{"đường Hai Bà Trưng", "Hai Bà Trưng"},
	{"đường Lý Thường Kiệt", "Lý Thường Kiệt"},
	{"đường Phạm Văn Đồng", "Phạm Văn Đồng"},
	{"đường Võ Văn Kiệt", "Võ Văn Kiệt"},
	{"đường Điện Biên Phủ", "Điện Biên Phủ"},
	{"đường Hùng Vương", "Hùng Vương"},
	{"đường Quang Trung", "Quang Trung"},
	{"đường Nguyễn Văn Linh", "Nguyễn Văn Linh"},
	{"đường Phú Lợi", "Phú Lợi"},
	{"đường Yersin", "Yersin"},
	{"đường 30 Tháng 4", "30 Tháng 4"},
	{"đường Hoàng Văn Thụ", "Hoàng Văn Thụ"},
	{"đường Ngô Quyền", "Ngô Quyền"},
	{"đường Lạc Long Quân", "Lạc Long Quân"},
	{"đường Nguyễn Chí Thanh", "Nguyễn Chí Thanh"},
	{"Quốc lộ 13", "Quốc lộ 13"},
	{"đường ĐT743", "ĐT743"},
	{"đường Mỹ Phước – Tân Vạn", "Mỹ Phước – Tân Vạn"},
	{"đường Huỳnh Văn Lũy", "Huỳnh Văn Lũy"},
}

var places = []string{
	"chợ", "trường mầm non", "trường tiểu học", "cổng khu công nghiệp", "cây xăng",
	"nhà văn hóa khu phố", "trạm y tế", "công viên", "ngã ba", "bến xe buýt",
	"chùa", "nhà thờ", "siêu thị", "UBND phường",
}

// alleyWords are what an alley is called in the south, the north and the
// centre of the country.
var alleyWords = []string{"hẻm", "hẻm", "hẻm", "ngõ", "kiệt"}

// Openers. Operators summarise phone calls in the third person; citizens
// write in the first person; chat messages are casual.
var (
	operatorOpeners = []string{
		"Công dân phản ánh ", "Người dân gọi đến tổng đài phản ánh ", "Bà con khu phố phản ánh ",
		"Công dân liên hệ tổng đài cho biết ", "Ông/bà gọi đến phản ánh ",
	}
	writtenOpeners = []string{
		"Kính gửi Tổng đài 1022. Tôi xin phản ánh: ", "Kính gửi các cơ quan chức năng, tôi xin phản ánh việc ",
		"Xin chào, tôi là người dân sống tại {street}. Tôi muốn phản ánh ", "Tôi xin phản ánh ",
		"Kính gửi UBND phường, tôi xin phản ánh ",
	}
	chatOpeners             = []string{"Chào ad, ", "Alo 1022 ơi, ", "Ad ơi, ", "Chào anh chị, ", "Dạ cho em phản ánh ", ""}
	operatorQuestionOpeners = []string{"Công dân gọi đến hỏi: ", "Người dân hỏi: "}

	questionOpeners = []string{"Kính gửi Tổng đài 1022, ", "Xin chào, ", "Chào anh chị, ", ""}

	// extras lengthen the reports of citizens who write a lot. They are in
	// the first person, so operators never write them.
	extras = []string{
		"Tôi đã phản ánh qua tổ trưởng khu phố nhưng đến nay vẫn chưa được giải quyết.",
		"Vị trí cụ thể để cơ quan chức năng tiện kiểm tra: số {no} {sname}, gần {place}.",
		"Việc này ảnh hưởng đến rất nhiều hộ dân trong khu vực, không riêng gia đình tôi.",
		"Tôi có chụp lại hình ảnh, nếu cần tôi sẵn sàng cung cấp.",
		"Rất mong nhận được sự quan tâm của lãnh đạo địa phương.",
		"Tôi đề nghị giữ bí mật thông tin cá nhân của tôi.",
	}

	closings     = []string{"Xin cảm ơn.", "Trân trọng.", "Cảm ơn tổng đài.", "Mong sớm nhận được phản hồi."}
	chatClosings = []string{"Cảm ơn ạ", "Tks ad", "Giúp với ạ", "Mong sớm xử lý", ""}
)

// Names, weighted roughly like the population: about four in ten
// Vietnamese are Nguyễn.
var (
	familyNames = []weighted[string]{
		{"Nguyễn", 38}, {"Trần", 11}, {"Lê", 9}, {"Phạm", 7}, {"Huỳnh", 3}, {"Hoàng", 3},
		{"Phan", 4}, {"Võ", 3}, {"Vũ", 2}, {"Đặng", 2}, {"Bùi", 2}, {"Đỗ", 1}, {"Hồ", 1},
		{"Ngô", 1}, {"Dương", 1}, {"Lý", 1}, {"Trương", 1},
	}
	femaleMiddle = []string{"Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo"}
	maleMiddle   = []string{"Văn", "Văn", "Minh", "Quốc", "Hữu", "Đức", "Thanh", "Công", "Hoàng"}
	femaleGiven  = []string{
		"Hồng", "Lan", "Hương", "Mai", "Thảo", "Trang", "Linh", "Ngọc", "Hạnh", "Phương",
		"Yến", "Nhung", "Hà", "Thủy", "Vy", "Anh", "Trâm", "Diễm", "Loan", "Hoa",
	}
	maleGiven = []string{
		"Hùng", "Dũng", "Tuấn", "Nam", "Hải", "Long", "Minh", "Phúc", "Tài", "Khang",
		"Huy", "Sơn", "Thắng", "Tâm", "Bình", "Trung", "Cường", "Đạt", "Quang", "Hiếu",
	}
)

// mobilePrefixes are Vietnamese mobile prefixes in use (Viettel, MobiFone,
// VinaPhone); a number is the prefix and seven digits. 089 is followed by
// 6–9 in mobileNumber: those are the only 089 blocks libphonenumber knows,
// so the numbers also pass internal/phone as checked.
var mobilePrefixes = []string{
	"032", "033", "034", "035", "036", "037", "038", "039",
	"070", "076", "077", "078", "079",
	"081", "082", "083", "084", "085", "086", "088", "089",
	"090", "091", "093", "094", "096", "097", "098",
}

var emailDomains = []weighted[string]{{"gmail.com", 80}, {"yahoo.com", 8}, {"outlook.com", 6}, {"icloud.com", 6}}

// channels are weighted like the traffic of a real provincial hotline,
// where most reports still arrive by phone.
var channels = []weighted[string]{
	{"phone", 60}, {"zalo", 15}, {"web", 10}, {"app", 7}, {"email", 3}, {"messenger", 3}, {"viber", 2},
}
